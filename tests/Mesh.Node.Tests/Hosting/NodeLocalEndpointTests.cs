using Mesh.Hub.Tests;
using Mesh.Hub.Tests.Support;
using Mesh.ActorCli.Tests.Support;
using Grpc.Health.V1;
using Mesh.Core.Protocol;
using Mesh.Core.Tests;
using Grpc.Core;
using Grpc.Net.Client;

namespace Mesh.Node.Tests.Hosting;

/// <summary>
/// Issue 6's node-placed actor: a real hub process, a real node process joined with a REST token, and the real
/// actor CLI pointed at the node's local endpoint with a token the node minted (mesh actor-token).
/// </summary>
public sealed class NodeLocalEndpointTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task NodeLocalEndpoint_ActorPlacedOnNode_SendsReadsAcksAndWatchesThroughTheRelay()
    {
        await using var cluster = new NodeLocalEndpointCluster(_dir);
        await cluster.StartHubAsync();
        await cluster.JoinNodeAsync("n1");
        await cluster.CreateActorAsync("a1", placement: "n1");
        await cluster.CreateActorAsync("b1");
        var a1 = await cluster.MintAsync("n1", "a1");

        var sent = await cluster.AgentAsync("n1", a1, "--json", "send", "--to-actor-id", "b1", "--text", "hello from n1");
        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.False(sent.Json.GetProperty("queued").GetBoolean());
        Assert.Equal(["hello from n1"], await cluster.InboxPayloadsAsync("b1"));
        var stored = (await cluster.RootAsync("--json", "--actor-id", "b1", "inbox")).Json.GetProperty("messages")[0];
        Assert.Equal("a1", stored.GetProperty("from").GetString());

        var task = await cluster.RootAsync("--json", "--actor-id", "b1", "send", "--to-actor-id", "a1", "--text", "task 1");
        Assert.True(task.ExitCode == 0, task.ToString());
        var inbox = await cluster.AgentAsync("n1", a1, "--json", "inbox");
        Assert.True(inbox.ExitCode == 0, inbox.ToString());
        var message = Assert.Single(inbox.Json.GetProperty("messages").EnumerateArray());
        Assert.Equal("task 1", message.GetProperty("payload").GetString());
        var ack = await cluster.AgentAsync("n1", a1, "--json", "ack", "--message-id", message.GetProperty("id").GetUInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(ack.ExitCode == 0, ack.ToString());
        Assert.Equal(0, (await cluster.AgentAsync("n1", a1, "--json", "inbox")).Json.GetProperty("pending_count").GetInt64());

        // inbox --watch through the node: a message sent on the hub arrives on the agent's stream.
        await using (var watch = ActorProcess.Start(["--json", "inbox", "--watch"], new Dictionary<string, string?> { ["MESH_GRPC_TARGET"] = cluster.Endpoints["n1"], ["MESH_ACTOR_TOKEN"] = a1 }))
        {
            // Sent before and after the watcher attaches: the backlog and the live part both come through, in order.
            await cluster.RootAsync("--actor-id", "b1", "send", "--to-actor-id", "a1", "--text", "live 1");
            await Task.Delay(500);
            await cluster.RootAsync("--actor-id", "b1", "send", "--to-actor-id", "a1", "--text", "live 2");
            await watch.WaitForOutputLinesAsync(2, Timeout);
            var seen = watch.OutputLines.Take(2).Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("payload").GetString()!).ToList();
            Assert.Equal(["live 1", "live 2"], seen);
        }

        // The hub refuses a token n1 signed for an actor that is not placed on n1.
        var b1ByNode = await cluster.MintAsync("n1", "b1");
        var denied = await cluster.AgentAsync("n1", b1ByNode, "send", "--to-actor-id", "a1", "--text", "impostor");
        Assert.Equal(1, denied.ExitCode);
        Assert.Contains("PERMISSION_DENIED", denied.Stderr, StringComparison.Ordinal);
        Assert.Contains("placed on 'hub'", denied.Stderr, StringComparison.Ordinal);
        var deniedRead = await cluster.AgentAsync("n1", b1ByNode, "inbox");
        Assert.Equal(1, deniedRead.ExitCode);
        Assert.DoesNotContain("impostor", string.Join(',', await cluster.InboxPayloadsAsync("a1")), StringComparison.Ordinal);

        // A garbage token is refused by the node itself with how to get a real one.
        var garbage = await cluster.AgentAsync("n1", "not-a-token", "inbox");
        Assert.Equal(3, garbage.ExitCode);
        Assert.Contains("UNAUTHENTICATED", garbage.Stderr, StringComparison.Ordinal);
        Assert.Contains("mesh actor-token", garbage.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeLocalEndpoint_NoToken_IsUnauthenticated_HealthServes_OtherServicesUnimplemented()
    {
        await using var cluster = new NodeLocalEndpointCluster(_dir);
        await cluster.StartHubAsync();
        var url = await cluster.JoinNodeAsync("n1");
        using var channel = GrpcChannel.ForAddress(url);

        var none = await Assert.ThrowsAsync<RpcException>(() => channel.Mailbox().InboxAsync(new InboxRequest(), GrpcTestClients.WithTimeout(Timeout)).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        Assert.Contains("no token", none.Status.Detail, StringComparison.Ordinal);
        var basic = await Assert.ThrowsAsync<RpcException>(() => channel.Mailbox().InboxAsync(new InboxRequest(), GrpcTestClients.WithTimeout(Timeout, new Metadata { { "authorization", "Basic abc" } })).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, basic.StatusCode);

        var health = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), GrpcTestClients.WithTimeout(Timeout));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        var join = await Assert.ThrowsAsync<RpcException>(() => channel.Join().WhoamiAsync(new WhoamiRequest(), GrpcTestClients.WithTimeout(Timeout)).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, join.StatusCode);
    }

    [Fact]
    public async Task NodeLocalEndpoint_HubDown_SendsQueue_SurviveNodeRestart_AndArriveOnceWhenHubReturns()
    {
        await using var cluster = new NodeLocalEndpointCluster(_dir);
        await cluster.StartHubAsync();
        await cluster.JoinNodeAsync("n1");
        await cluster.CreateActorAsync("a1", placement: "n1");
        await cluster.CreateActorAsync("b1");
        var a1 = await cluster.MintAsync("n1", "a1");

        await cluster.StopHubAsync();
        var first = await cluster.AgentAsync("n1", a1, "--json", "send", "--to-actor-id", "b1", "--text", "offline 1");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(first.Json.GetProperty("queued").GetBoolean());
        // Reads need the hub.
        Assert.Equal(3, (await cluster.AgentAsync("n1", a1, "inbox")).ExitCode);

        // The node restarts (hub still away): its outbox is on disk, and its stored key still accepts the token.
        await cluster.StopNodeAsync("n1");
        await cluster.StartNodeAsync("n1", waitForHub: false);
        var second = await cluster.AgentAsync("n1", a1, "--json", "send", "--to-actor-id", "b1", "--text", "offline 2");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.True(second.Json.GetProperty("queued").GetBoolean());

        await cluster.StartHubAsync();
        var deadline = DateTime.UtcNow + Timeout;
        string[] payloads = [];
        while (DateTime.UtcNow < deadline)
        {
            payloads = await cluster.InboxPayloadsAsync("b1");
            if (payloads.Length >= 2)
                break;
            await Task.Delay(500);
        }

        Assert.Equal(["offline 1", "offline 2"], payloads);
        // Sends queue behind a non-empty outbox, so an answer that is not queued proves the outbox is drained;
        // the inbox then shows each queued message exactly once.
        ActorRun online = first;
        while (DateTime.UtcNow < deadline)
        {
            online = await cluster.AgentAsync("n1", a1, "--json", "send", "--to-actor-id", "b1", "--text", "online", "--idempotency-key", "online-1");
            if (online.ExitCode == 0 && !online.Json.GetProperty("queued").GetBoolean())
                break;
            await Task.Delay(500);
        }

        Assert.True(online.ExitCode == 0 && !online.Json.GetProperty("queued").GetBoolean(), online.ToString());
        Assert.Equal(["offline 1", "offline 2", "online"], await cluster.InboxPayloadsAsync("b1"));
    }

    [Fact]
    public async Task NodeLocalEndpoint_AfterCertificateRenewal_RelaysOverTheNewConnection()
    {
        await using var cluster = new NodeLocalEndpointCluster(_dir, "node_certificate_lifetime = \"20s\"");
        await cluster.StartHubAsync();
        await cluster.JoinNodeAsync("n1");
        await cluster.CreateActorAsync("a1", placement: "n1");
        await cluster.CreateActorAsync("b1");
        var a1 = await cluster.MintAsync("n1", "a1");
        Assert.Equal(0, (await cluster.AgentAsync("n1", a1, "send", "--to-actor-id", "b1", "--text", "before")).ExitCode);

        // Renewal happens between 10 and 16 s into a 20 s certificate; the node then reconnects with a new HubConnection.
        await cluster.Node("n1").WaitForTextAsync("renewed its certificate", TimeSpan.FromSeconds(40));
        var after = await cluster.AgentAsync("n1", a1, "--json", "send", "--to-actor-id", "b1", "--text", "after");
        Assert.True(after.ExitCode == 0, after.ToString());
        var deadline = DateTime.UtcNow + Timeout;
        string[] payloads = [];
        while (DateTime.UtcNow < deadline && (payloads = await cluster.InboxPayloadsAsync("b1")).Length < 2)
            await Task.Delay(500);
        Assert.Equal(["before", "after"], payloads);
    }

    [Fact]
    public async Task HubWithLocalListen_EmbeddedNodeServesItsActors_WithTokensFromTheHubConfig()
    {
        var web = FreePort();
        var grpc = FreePort();
        var hubConfig = _dir.Write("hub.toml", $"""
            [server]
            listen = "127.0.0.1:{web}"
            data_dir = "hub-data"
            [internal_grpc]
            listen = "127.0.0.1:{grpc}"
            [admin]
            api_token = "{NodeLocalEndpointCluster.ApiToken}"
            [node]
            local_listen = "127.0.0.1:0"
            """);
        await using var hub = Mesh.Hub.Tests.Support.MeshProcess.Start(["run", "--config", hubConfig]);
        await hub.WaitForLineAsync("mesh hub ready:", Timeout);
        var line = await hub.WaitForLineAsync("mesh node local endpoint: ", Timeout);
        var endpoint = line["mesh node local endpoint: ".Length..].Trim();
        await hub.WaitForLineAsync("mesh node ready: node main", Timeout);
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{web}") };
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", NodeLocalEndpointCluster.ApiToken);
        foreach (var (id, placement) in new[] { ("local", "main"), ("lead", (string?)null) })
        {
            var created = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(admin, "/api/admin/actors", new { id, placement });
            Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        }

        var (code, token, stderr) = await Mesh.Hub.Tests.Support.MeshProcess.RunAsync("actor-token", "--config", hubConfig, "--actor-id", "local");
        Assert.True(code == 0, stderr);
        var sent = await ActorProcess.RunAsync(["--json", "send", "--to-actor-id", "lead", "--text", "from main"],
            new Dictionary<string, string?> { ["MESH_GRPC_TARGET"] = endpoint, ["MESH_ACTOR_TOKEN"] = token.Trim() });
        Assert.True(sent.ExitCode == 0, sent.ToString());
        var inbox = await ActorProcess.RunAsync(["--json", "--config", hubConfig, "--actor-id", "lead", "inbox"], new Dictionary<string, string?>());
        var message = Assert.Single(inbox.Json.GetProperty("messages").EnumerateArray());
        Assert.Equal(("local", "from main"), (message.GetProperty("from").GetString(), message.GetProperty("payload").GetString()));
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
