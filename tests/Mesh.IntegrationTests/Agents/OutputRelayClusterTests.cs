using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Mesh.Hub.Tests.Support;
using Mesh.IntegrationTests.Support;
using static Mesh.IntegrationTests.Agents.AgentCluster;

namespace Mesh.IntegrationTests.Agents;

/// <summary>
/// Output from node to hub to readers by position: a run printing a numbered line every 10 ms for 60 s reaches an SSE
/// reader and `mesh agents logs -f` exactly once, in order, while the node↔hub path is cut three times (the hub
/// kill -9ed and restarted, the node's connection reset, the hub stopped and restarted), the SSE connection is dropped
/// three times, and the node is kill -9ed and restarted once.
/// </summary>
public sealed class OutputRelayClusterTests(AgentCluster cluster) : IClassFixture<AgentCluster>
{
    private const int Lines = 6000;
    private const string NodeId = "relayed";

    [Fact]
    public async Task Numbered_lines_arrive_exactly_once_in_order_through_hub_restarts_connection_drops_sse_drops_and_a_node_kill_9()
    {
        await using var relay = new TcpRelay(cluster.GrpcPort);
        await cluster.StartNodeAsync(NodeId, relay.Port);
        // Each line at its own deadline (start + i × 10 ms), so the run lasts 60 s however loaded the machine is.
        const string Printer = "use Time::HiRes qw(time sleep); $| = 1; my $t = time; for my $i (1..6000) { print \"$i\\n\"; my $d = $t + $i * 0.01 - time; sleep($d) if $d > 0 }";
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            $$"""{"id":"counter-1","placement":"{{NodeId}}","restart_policy":"never","command":["perl","-e",{{System.Text.Json.JsonSerializer.Serialize(Printer)}}]}""");
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        var running = await cluster.WaitForAgentAsync("counter-1", s => State(s) == "running");
        var runId = running.GetProperty("status").GetProperty("run").GetProperty("run_id").GetString()!;
        var clock = Stopwatch.StartNew();

        await using var follower = MeshProcess.Start(["agents", "logs", "counter-1", "--run", runId, "-f", "--hub", cluster.Admin.BaseAddress!.ToString(), "--token", ApiToken]);
        using var sseHttp = new HttpClient { BaseAddress = cluster.Admin.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        sseHttp.DefaultRequestHeaders.Authorization = cluster.Admin.DefaultRequestHeaders.Authorization;
        using var sse = new SseOutputReader(sseHttp, $"/ui/agents/counter-1/runs/{runId}/output/stream?stream=stdout");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        var reading = sse.ReadToEndAsync(deadline.Token);

        await At(clock, 5);
        sse.Drop();
        await At(clock, 8);
        await cluster.Hub.KillHardAsync(); // cut 1: the hub dies without a word
        await cluster.Hub.DisposeAsync();
        await Task.Delay(1000);
        await cluster.StartHubAsync();
        await At(clock, 16);
        sse.Drop();
        await At(clock, 19);
        relay.DropAll(); // cut 2: the node's connection breaks, the hub stays up
        Assert.True(relay.Dropped > 0, "the node had no connection through the relay to drop");
        await At(clock, 25);
        sse.Drop();
        await At(clock, 28);
        await RestartHubAsync(); // cut 3: a clean stop and start of the hub
        await At(clock, 38);
        await cluster.Node(NodeId).KillHardAsync();
        await cluster.Node(NodeId).DisposeAsync();
        await Task.Delay(1500);
        await cluster.StartNodeAsync(NodeId, relay.Port);

        await cluster.WaitForAgentAsync("counter-1", s => State(s) == "exited", TimeSpan.FromSeconds(90));
        await reading;
        Assert.Equal(3, sse.Drops);
        Assert.True(sse.Connections >= 4, $"{sse.Connections} SSE connections");
        Assert.Empty(sse.Markers);
        AssertExactlyOnce(Encoding.UTF8.GetString(sse.Bytes));

        Assert.Equal(0, await follower.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        AssertExactlyOnce(follower.StandardOutput + "\n");
        using var stored = await cluster.Admin.GetAsync($"/api/admin/agents/counter-1/runs/{runId}/output?stream=stdout&limit=16777216");
        Assert.Equal("true", stored.Headers.GetValues("Mesh-Output-Complete").Single());
        AssertExactlyOnce(await stored.Content.ReadAsStringAsync());
    }

    private static async Task At(Stopwatch clock, int second)
    {
        var wait = TimeSpan.FromSeconds(second) - clock.Elapsed;
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait);
    }

    private async Task RestartHubAsync()
    {
        cluster.Hub.Terminate();
        Assert.Equal(0, await cluster.Hub.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await cluster.Hub.DisposeAsync();
        await Task.Delay(1000);
        await cluster.StartHubAsync();
    }

    private static void AssertExactlyOnce(string text)
    {
        Assert.EndsWith("\n", text);
        var lines = text.Split('\n')[..^1];
        var expected = Enumerable.Range(1, Lines).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
        if (!lines.SequenceEqual(expected))
        {
            var first = Enumerable.Range(0, Math.Min(lines.Length, Lines)).FirstOrDefault(i => lines[i] != expected[i], Math.Min(lines.Length, Lines));
            Assert.Fail($"{lines.Length} lines; first difference at index {first}: '{(first < lines.Length ? lines[first] : "(none)")}'");
        }
    }
}
