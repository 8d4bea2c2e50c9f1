using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Mesh.Core.Tests;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Cluster;

/// <summary>
/// Two real hub processes on one real PostgreSQL database and one CA folder, and a real node attached to hub A: what
/// is asked of the node through hub B reaches it through A, which holds its session.
/// </summary>
[Collection(PostgresServer.Collection)]
public sealed class TwoHubsProcessTests(PostgresServer server, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task NodeOnHubA_AgentStartedStoppedPingedDrainedThroughHubB_ThenRemovedOnHubB_SessionOnAClosedAtOnce()
    {
        await using var hubs = new HubsOnPostgres(server, _dir, "two_hubs_commands");
        var a = await hubs.StartHubAsync("a");
        var node = await hubs.JoinNodeAsync("n1", a);
        // B starts once n1 is registered: a hub reads the registry at start (following it live is not this test's part).
        var b = await hubs.StartHubAsync("b");

        var health = await HubsOnPostgres.WaitForAsync(async () => (await b.SendAsync(HttpMethod.Get, "/api/admin/agent-nodes/n1/health")).Body,
            h => h.ValueKind == JsonValueKind.Object && h.GetProperty("session").GetProperty("ok").GetBoolean(), "a session probe of n1 through hub B");
        var (drainStatus, drain) = await b.SendAsync(HttpMethod.Post, "/api/admin/agent-nodes/n1/drain", """{"drain":false}""");
        var (created, agent) = await b.SendAsync(HttpMethod.Post, "/api/admin/agents",
            """{"id":"across-1","placement":"n1","command":["sh","-c","echo hello-from-n1; exec sleep 1000"],"stop_grace_seconds":5}""");
        Assert.True(created == HttpStatusCode.Created, agent.ToString());
        var running = await WaitForStateAsync(b, "across-1", "running");
        var pid = running.GetProperty("status").GetProperty("run").GetProperty("pid").GetInt32();
        var aliveWhileRunning = IsAlive(pid);
        var onA = await WaitForStateAsync(a, "across-1", "running");
        Assert.Equal(HttpStatusCode.OK, (await b.SendAsync(HttpMethod.Post, "/api/admin/agents/across-1/stop")).Status);
        var stopped = await WaitForStateAsync(b, "across-1", "stopped");
        var (_, runs) = await b.SendAsync(HttpMethod.Get, "/api/admin/agents/across-1/runs");
        Assert.Equal(HttpStatusCode.NoContent, (await b.SendAsync(HttpMethod.Delete, "/api/admin/agents/across-1")).Status);

        var removing = Stopwatch.StartNew();
        var (removed, removal) = await b.SendAsync(HttpMethod.Delete, "/api/admin/agent-nodes/n1");
        await node.WaitForTextAsync("certificate revoked", TimeSpan.FromSeconds(10));
        var closedAfter = removing.Elapsed;
        output.WriteLine($"removal on hub B → node saw its session on hub A closed: {closedAfter.TotalMilliseconds:0} ms");
        await a.Process.WaitForTextAsync("Dropped node n1's session: node revoked", TimeSpan.FromSeconds(5));

        Assert.Equal(1.0, health.GetProperty("session").GetProperty("ok").GetBoolean() ? 1.0 : 0.0);
        Assert.True(health.GetProperty("session").GetProperty("latency_ms").GetDouble() > 0, health.ToString());
        Assert.True(drainStatus == HttpStatusCode.OK, drain.ToString());
        Assert.False(drain.GetProperty("draining").GetBoolean());
        Assert.True(aliveWhileRunning, $"run pid {pid} was not alive while the agent ran");
        Assert.Equal(pid, onA.GetProperty("status").GetProperty("run").GetProperty("pid").GetInt32());
        var exit = stopped.GetProperty("status").GetProperty("run").GetProperty("exit");
        Assert.Equal(("stopped", 15), (exit.GetProperty("reason").GetString(), exit.GetProperty("signal").GetInt32()));
        Assert.Contains("hello-from-n1", exit.GetProperty("last_lines").EnumerateArray().Select(l => l.GetString()));
        Assert.False(IsAlive(pid));
        Assert.Single(runs.GetProperty("runs").EnumerateArray());
        Assert.True(removed == HttpStatusCode.NoContent || removed == HttpStatusCode.OK, removal.ToString());
        Assert.True(closedAfter < TimeSpan.FromSeconds(5), $"the session on hub A closed {closedAfter.TotalSeconds:0.0} s after the removal on hub B");
        Assert.DoesNotContain(" fail:", a.Process.StandardOutput + b.Process.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HolderHubKilledWhileACommandIsOnTheNode_SenderReportsMayOrMayNotHaveRun_NeverSentTwice()
    {
        await using var hubs = new HubsOnPostgres(server, _dir, "two_hubs_holder_killed");
        var a = await hubs.StartHubAsync("a", lease: "3s");
        await hubs.JoinNodeAsync("n1", a);
        var b = await hubs.StartHubAsync("b", lease: "3s");
        var seen = Path.Combine(hubs.WorkRoot, "seen.txt");
        var command = JsonSerializer.Serialize(new[] { "sh", "-c", $"while read line; do echo \"$line\" >> '{seen}'; done" });
        var (created, agent) = await b.SendAsync(HttpMethod.Post, "/api/admin/agents",
            $$"""{"id":"typist-1","placement":"n1","interactive":true,"restart_policy":"never","command":{{command}}}""");
        Assert.True(created == HttpStatusCode.Created, agent.ToString());
        await WaitForStateAsync(b, "typist-1", "running");
        var (typed, _) = await b.SendAsync(HttpMethod.Post, "/api/admin/agents/typist-1/input", """{"text":"first\n"}""");
        await HubsOnPostgres.WaitForAsync(async () => File.Exists(seen) ? await File.ReadAllTextAsync(seen) : "", t => t == "first\n", "the first line through hub B");
        var aId = a.Id;

        // The node stops reading; the next line is claimed by A and written to the stream, then A dies.
        hubs.Pause("n1");
        var input = b.SendAsync(HttpMethod.Post, "/api/admin/agents/typist-1/input", """{"text":"once\n"}""");
        await HubsOnPostgres.WaitForAsync(() => CommandStatesAsync(aId), s => s is ["sent"], "the input claimed by hub A");
        await hubs.KillHubAsync("a");
        var killed = Stopwatch.StartNew();
        var (status, problem) = await input;
        output.WriteLine($"hub A killed → hub B reported the command: {killed.Elapsed.TotalMilliseconds:0} ms (lease 3 s)");
        hubs.Resume("n1");
        await hubs.Node("n1").WaitForTextAsync("reconnecting in", TimeSpan.FromSeconds(30));
        var states = await CommandStatesAsync(aId);

        Assert.Equal(HttpStatusCode.OK, typed);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains($"hub '{aId}' that held node 'n1's session stopped; the command may or may not have run", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(["lost"], states);
        // Once at most: it was on the node's stream when A died, and nothing sent it again.
        Assert.InRange((await File.ReadAllLinesAsync(seen)).Count(l => l == "once"), 0, 1);
        Assert.Equal(1, (await File.ReadAllLinesAsync(seen)).Count(l => l == "first"));
    }

    private async Task<List<string>> CommandStatesAsync(string hubId)
    {
        await using var database = new PostgresDatabase(await server.DatabaseAsync("two_hubs_holder_killed"), []);
        await using var connection = await database.OpenAsync(CancellationToken.None);
        // The first line's command is done; what follows it is what this test watches.
        await using var read = connection.Command("SELECT state FROM node_commands WHERE hub_id = @hub AND state <> 'done' ORDER BY created_at").With("hub", hubId);
        await using var reader = await read.ExecuteReaderAsync();
        var states = new List<string>();
        while (await reader.ReadAsync())
            states.Add(reader.GetString(0));
        return states;
    }

    private static async Task<JsonElement> WaitForStateAsync(HubsOnPostgres.HubProcess hub, string agentId, string state) =>
        await HubsOnPostgres.WaitForAsync(async () => (await hub.SendAsync(HttpMethod.Get, "/api/admin/agents/" + agentId)).Body,
            a => a.ValueKind == JsonValueKind.Object && a.GetProperty("status").ValueKind == JsonValueKind.Object && a.GetProperty("status").GetProperty("state").GetString() == state,
            $"agent {agentId} {state} as hub {hub.Name} shows it");

    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] is not 'Z' and not 'X';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
