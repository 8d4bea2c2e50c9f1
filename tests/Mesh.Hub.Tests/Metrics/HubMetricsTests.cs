using System.Net.Http.Json;
using Grpc.Core;
using Mesh.Core.Protocol;
using Mesh.Hub.Tests.Mailbox.Support;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Metrics;

/// <summary>
/// The numbers move: the real mesh binary as a hub (its embedded node joins it as any node would), driven over
/// REST and gRPC, read back at /metrics. Each process is its own, so every value is exact.
/// </summary>
public sealed class HubMetricsTests
{
    [Fact]
    public async Task EmbeddedNode_Joining_ShowsEnrollmentSessionStatusHeartbeatAndDisk()
    {
        await using var hub = await MailboxTestHub.StartAsync();
        var text = await ScrapeUntilAsync(hub, t => t.Sum("mesh_node_heartbeat_interval_seconds_count") >= 1);
        Assert.Equal(1, text.Sum("mesh_node_enrollments_total", "result=ok"));
        Assert.Equal(1, text.Sum("mesh_node_sessions"));
        Assert.Equal(1, text.Sum("mesh_nodes", "status=online"));
        Assert.Equal(0, text.Sum("mesh_nodes", "status=offline"));
        var age = text.Sum("mesh_node_heartbeat_age_seconds", "mesh_node_id=main");
        Assert.InRange(age, 0, 6);
        Assert.InRange(text.Sum("mesh_node_disk_utilization", "mesh_node_id=main"), 0.0001, 1);
        Assert.True(text.Sum("mesh_node_disk_free_bytes", "mesh_node_id=main") > 0, text.Text);
        Assert.Equal(1, text.Sum("mesh_rpc_server_call_duration_seconds_count", "rpc_service=mesh.v1.Join", "rpc_method=Enroll", "rpc_grpc_status_code=OK"));
    }

    [Fact]
    public async Task Send_Ack_AndARefusedToken_MoveMailboxCallAndAuthCounters()
    {
        await using var hub = await MailboxTestHub.StartAsync();
        await hub.CreateActorAsync("alice");
        await hub.CreateActorAsync("bob");
        using var channel = hub.Channel();
        var mailbox = channel.Mailbox();
        var before = await ScrapeAsync(hub);

        var sent = await mailbox.SendAsync(new SendRequest { ActorId = "bob", ToActorId = "alice", Payload = "hello" }, MailboxTestHub.Bearer(hub.ActorToken("bob"))).ResponseAsync;
        var afterSend = await ScrapeAsync(hub);
        Assert.Equal(1, afterSend.Sum("mesh_mailbox_messages_sent_total") - before.Sum("mesh_mailbox_messages_sent_total"));
        Assert.Equal(1, afterSend.Sum("mesh_mailbox_messages_pending") - before.Sum("mesh_mailbox_messages_pending"));
        Assert.Equal(1, afterSend.Sum("mesh_rpc_server_call_duration_seconds_count", "rpc_method=Send", "rpc_grpc_kind=unary", "rpc_grpc_status_code=OK"));

        await mailbox.AckAsync(new AckRequest { ActorId = "alice", MessageIds = { sent.MessageId } }, MailboxTestHub.Bearer(hub.ActorToken("alice"))).ResponseAsync;
        var afterAck = await ScrapeAsync(hub);
        Assert.Equal(1, afterAck.Sum("mesh_mailbox_messages_acked_total"));
        Assert.Equal(before.Sum("mesh_mailbox_messages_pending"), afterAck.Sum("mesh_mailbox_messages_pending"));

        var refused = await Assert.ThrowsAsync<RpcException>(() => mailbox.SendAsync(new SendRequest { ToActorId = "alice", Payload = "x" }, MailboxTestHub.Bearer("not-a-token")).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        var afterRefusal = await ScrapeAsync(hub);
        Assert.Equal(1, afterRefusal.Sum("mesh_rpc_server_auth_failures_total", "reason=invalid_token"));
        Assert.Equal(1, afterRefusal.Sum("mesh_rpc_server_call_duration_seconds_count", "rpc_method=Send", "rpc_grpc_status_code=UNAUTHENTICATED"));
        Assert.Equal(1, afterRefusal.Sum("mesh_mailbox_messages_sent_total") - before.Sum("mesh_mailbox_messages_sent_total"));
    }

    [Fact]
    public async Task AgentCreatedThenKilled_CountsOneStartWithItsStartTime_AndOneExitByReason()
    {
        await using var hub = await MailboxTestHub.StartAsync();
        await ScrapeUntilAsync(hub, t => t.Sum("mesh_nodes", "status=online") == 1);
        var created = await hub.Admin.PostAsJsonAsync(new Uri(hub.WebUrl, "/api/admin/agents"), new Dictionary<string, object>
        {
            ["id"] = "sleeper",
            ["placement"] = "main",
            ["command"] = new[] { "sleep", "600" },
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var running = await ScrapeUntilAsync(hub, t => t.Sum("mesh_agent_starts_total") == 1);
        Assert.Equal(1, running.Sum("mesh_agent_start_duration_seconds_count"));
        Assert.InRange(running.Sum("mesh_agent_start_duration_seconds_sum"), 0.000001, 20);
        Assert.Equal(1, running.Sum("mesh_agents", "state=running"));

        var killed = await hub.Admin.PostAsync(new Uri(hub.WebUrl, "/api/admin/agents/sleeper/kill"), null);
        Assert.True(killed.IsSuccessStatusCode, await killed.Content.ReadAsStringAsync());
        var ended = await ScrapeUntilAsync(hub, t => t.Sum("mesh_agent_exits_total") == 1);
        Assert.Equal(1, ended.Sum("mesh_agent_exits_total", "reason=killed"));
        Assert.Equal(1, ended.Sum("mesh_agent_starts_total"));
    }

    internal static async Task<PrometheusText> ScrapeAsync(MailboxTestHub hub)
    {
        var response = await hub.Admin.GetAsync(new Uri(hub.WebUrl, "/metrics"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return new PrometheusText(body);
    }

    private static async Task<PrometheusText> ScrapeUntilAsync(MailboxTestHub hub, Func<PrometheusText, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var text = await ScrapeAsync(hub);
            if (condition(text))
                return text;
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 30 s; last scrape:\n" + text.Text);
            await Task.Delay(100);
        }
    }
}
