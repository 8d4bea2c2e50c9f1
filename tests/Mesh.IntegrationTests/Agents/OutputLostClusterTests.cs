using System.Globalization;
using System.Net;
using System.Text;
using Mesh.Hub.Tests.Support;
using static Mesh.IntegrationTests.Agents.AgentCluster;

namespace Mesh.IntegrationTests.Agents;

/// <summary>A cluster whose one node the test starts itself (with a small output limit).</summary>
public sealed class OutputLostCluster() : AgentCluster([]);

/// <summary>
/// The hub loses output it had acknowledged — its output folder restored from an older backup, a stream's file
/// deleted, a run's folder wiped — while the node still has it (or has dropped part of it): the hub tells the node its
/// lower position and the node resends from there, or says up to where it dropped the output. Real hub and node
/// processes, real runs; the hub is stopped, its files changed on disk, and started again.
/// </summary>
public sealed class OutputLostClusterTests(OutputLostCluster cluster) : IClassFixture<OutputLostCluster>
{
    private const string NodeId = "keeper";
    private const int FinishedLines = 100_000; // 588,895 bytes
    private const int DroppedLines = 300_000; // 2,088,895 bytes: more than the node keeps (1 MiB)

    [Fact]
    public async Task Output_the_hub_lost_is_resent_by_the_node_from_the_hubs_lower_position_or_reported_dropped()
    {
        await cluster.StartNodeAsync(NodeId, settings: new Dictionary<string, string> { ["MESH_NODE__OUTPUT_LIMIT_PER_RUN"] = "1048576" });
        const string Printer = "use Time::HiRes qw(time sleep); $| = 1; my $t = time; for my $i (1..100000) { print \"$i\\n\"; my $d = $t + $i * 0.01 - time; sleep($d) if $d > 0 }";
        var finished = await CreateAsync("done-1", ["seq", "1", $"{FinishedLines}"]);
        var dropped = await CreateAsync("drop-1", ["sh", "-c", $"seq 1 {DroppedLines}; exec sleep 3600"]);
        var live = await CreateAsync("live-1", ["perl", "-e", Printer]);

        await WaitForAsync("done-1", finished, s => s.Complete, "the finished run on the hub");
        var nodeFile = Path.Combine(cluster.NodeDataDir(NodeId), "runs", dropped, "stdout");
        var droppedBefore = 0L;
        await WaitUntilAsync(() => Task.FromResult(File.Exists(nodeFile + ".dropped") && long.TryParse(File.ReadAllText(nodeFile + ".dropped"), CultureInfo.InvariantCulture, out droppedBefore)),
            "the node to drop the oldest output of drop-1", TimeSpan.FromSeconds(60));
        Assert.InRange(droppedBefore, 1, new FileInfo(nodeFile).Length - 1);
        await WaitForAsync("drop-1", dropped, s => s.End == new FileInfo(nodeFile).Length, "all of drop-1 on the hub");
        await WaitForAsync("live-1", live, s => s.End > 1000, "the live run's first lines on the hub");

        // A backup of the hub's output, taken while it is stopped.
        var output = Path.Combine(cluster.HubDataDir, "output");
        var backup = Path.Combine(Path.GetDirectoryName(cluster.HubDataDir)!, "output-backup");
        await RestartHubAsync(() => CopyFolder(output, backup));
        var backedUp = (await ReadAsync("live-1", live, 1, from: 1L << 50)).State.End;
        await WaitForAsync("live-1", live, s => s.End > backedUp + 3000, "more of the live run, acknowledged to the node");

        await RestartHubAsync(() =>
        {
            Directory.Delete(Path.Combine(output, live), recursive: true); // restored from the older backup
            CopyFolder(Path.Combine(backup, live), Path.Combine(output, live));
            File.Delete(Path.Combine(output, finished, "stdout")); // its file deleted, its state left
            Directory.Delete(Path.Combine(output, dropped), recursive: true); // wiped
        });

        // The finished run comes back whole, byte for byte.
        await WaitForAsync("done-1", finished, s => s.Complete, "the finished run resent");
        var whole = await ReadAsync("done-1", finished, 16 << 20);
        Assert.Equal(Seq(1, FinishedLines), Encoding.ASCII.GetString(whole.Data));
        await cluster.Hub.WaitForTextAsync("not at 588895", TimeSpan.FromSeconds(5)); // the hub said what it lost

        // What the node dropped is reported as dropped; the rest is resent.
        await WaitForAsync("drop-1", dropped, s => s.End == new FileInfo(nodeFile).Length, "drop-1 resent from what the node has");
        var tail = await ReadAsync("drop-1", dropped, 16 << 20);
        Assert.Equal((droppedBefore, droppedBefore), (tail.State.DroppedBefore, tail.Start));
        var nodeBytes = await File.ReadAllBytesAsync(nodeFile);
        Assert.Equal(nodeBytes[(int)droppedBefore..], tail.Data);
        var logs = await MeshProcess.RunAsync("agents", "logs", "drop-1", "--hub", cluster.Admin.BaseAddress!.ToString(), "--token", ApiToken);
        Assert.True(logs.ExitCode == 0, logs.Stderr);
        Assert.Contains($"output before position {droppedBefore} was dropped", logs.Stderr, StringComparison.Ordinal);

        // The live run, set back to the backup's position, continues with every line once, in order.
        await WaitForAsync("live-1", live, s => s.End > backedUp + 6000, "the live run resent past the restore");
        var lines = Encoding.ASCII.GetString((await ReadAsync("live-1", live, 16 << 20)).Data).Split('\n')[..^1];
        Assert.Equal(Enumerable.Range(1, lines.Length).Select(i => i.ToString(CultureInfo.InvariantCulture)), lines);
        await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/live-1/kill");
        await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/drop-1/kill");
    }

    private sealed record StreamState(long End, long DroppedBefore, bool Complete);

    private sealed record Slice(byte[] Data, long Start, StreamState State);

    private async Task<string> CreateAsync(string id, string[] command)
    {
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            $$"""{"id":"{{id}}","placement":"{{NodeId}}","restart_policy":"never","command":{{System.Text.Json.JsonSerializer.Serialize(command)}}}""");
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        var started = await cluster.WaitForAgentAsync(id, s => s.TryGetProperty("run", out var run) && run.ValueKind == System.Text.Json.JsonValueKind.Object);
        return started.GetProperty("status").GetProperty("run").GetProperty("run_id").GetString()!;
    }

    private async Task<Slice> ReadAsync(string agent, string run, int limit, long from = 0)
    {
        using var response = await cluster.Admin.GetAsync($"/api/admin/agents/{agent}/runs/{run}/output?stream=stdout&from={from}&limit={limit}");
        if (response.StatusCode == HttpStatusCode.NotFound)
            return new Slice([], 0, new StreamState(0, 0, false)); // the hub has nothing of it (yet)
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        long Header(string name) => long.Parse(response.Headers.GetValues(name).Single(), CultureInfo.InvariantCulture);
        var state = new StreamState(Header("Mesh-Output-Stream-End"), Header("Mesh-Output-Dropped-Before"),
            response.Headers.GetValues("Mesh-Output-Complete").Single() == "true");
        return new Slice(await response.Content.ReadAsByteArrayAsync(), Header("Mesh-Output-Start"), state);
    }

    private Task WaitForAsync(string agent, string run, Func<StreamState, bool> condition, string what) =>
        WaitUntilAsync(async () => condition((await ReadAsync(agent, run, 1, from: 1L << 50)).State), what, TimeSpan.FromSeconds(90)); // at the end: complete is said there

    private async Task RestartHubAsync(Action whileStopped)
    {
        cluster.Hub.Terminate();
        Assert.Equal(0, await cluster.Hub.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await cluster.Hub.DisposeAsync();
        whileStopped();
        await cluster.StartHubAsync();
    }

    private static string Seq(int first, int last) => string.Concat(Enumerable.Range(first, last - first + 1).Select(i => i.ToString(CultureInfo.InvariantCulture) + "\n"));

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
