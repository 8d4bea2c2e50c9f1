// Agent benchmark: REST start → running latency of one agent (p50/p99) against Process.Start of the same program
// (the physical floor), then AGENTS agents across four nodes: time to all running, hub CPU, node RSS added per agent,
// against Process.Start of as many processes. A real hub and four real node processes on loopback. Run: bench/agents.sh
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Mesh.Bench;
using Mesh.Core.Readiness;
using static Mesh.Bench.BenchHub;

const string ClusterSecret = "Kx9vQ2mT7wR4yU1iO8pA5sD3fG6hJ0kL-bench1";
var meshDll = Environment.GetEnvironmentVariable("MESH_BENCH_DLL") ?? throw new InvalidOperationException("run bench/agents.sh (MESH_BENCH_DLL)");
var count = int.Parse(Environment.GetEnvironmentVariable("AGENTS") ?? "1000", CultureInfo.InvariantCulture);
var work = Directory.CreateTempSubdirectory("mesh-agentbench-").FullName;
var processes = new List<Process>();
try
{
    var config = Path.Combine(work, "mesh.toml");
    File.WriteAllText(config, BenchHub.Config(work, ClusterSecret, "max_agents = 10000"));
    var hub = Start(meshDll, ["run", "--config", config], []);
    var (web, grpc) = HubReadyLine.Parse(await MeshChild.WaitForLineAsync(hub, HubReadyLine.Prefix));
    using var admin = new HttpClient { BaseAddress = web };
    admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
    var token = await MeshChild.RunTextAsync(meshDll, ["cluster-token", "--config", config]);
    var nodes = new List<Process>();
    for (var i = 1; i <= 4; i++)
    {
        nodes.Add(Start(meshDll, ["run", "--node-mode", "--config", config], NodeEnvironment($"bench-{i}", Path.Combine(work, $"node-{i}"), token, grpc!)));
    }

    foreach (var node in nodes)
        await MeshChild.WaitForLineAsync(node, "mesh node ready:");
    await Until(async () => (await Json(admin, "/api/admin/agent-nodes")).GetProperty("nodes").EnumerateArray().Count(n => n.GetProperty("status").GetString() == "online") == 4);
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {File.ReadAllText("/proc/loadavg").Split(' ')[0]} load; hub + 4 nodes on loopback (tls), mesh {meshDll}");

    // 1. One agent: POST start → the hub reports it running (the node started it and its event came back).
    await Post(admin, "/api/admin/agents", """{"id":"lat-1","placement":"bench-1","command":["sleep","100000"],"desired_state":"stopped","stop_grace_seconds":1}""");
    var latencies = new List<double>();
    for (var i = 0; i < 60; i++)
    {
        var clock = Stopwatch.StartNew();
        await Post(admin, "/api/admin/agents/lat-1/start", null);
        await Until(async () => State(await Json(admin, "/api/admin/agents/lat-1")) == "running", pollMs: 2);
        latencies.Add(clock.Elapsed.TotalMilliseconds);
        await Post(admin, "/api/admin/agents/lat-1/stop", null);
        await Until(async () => State(await Json(admin, "/api/admin/agents/lat-1")) == "stopped", pollMs: 5);
    }

    var floor = new List<double>();
    for (var i = 0; i < 60; i++)
    {
        var clock = Stopwatch.StartNew();
        using var sleep = Process.Start("sleep", "100000");
        floor.Add(clock.Elapsed.TotalMilliseconds);
        sleep.Kill();
        sleep.WaitForExit();
    }

    latencies.Sort();
    floor.Sort();
    Console.WriteLine($"start → running (REST, node, event back; 10 warm-up of 60 dropped): p50 {P(latencies, 0.5):0.0} ms  p99 {P(latencies, 0.99):0.0} ms");
    Console.WriteLine($"Process.Start(sleep) floor:                                   p50 {P(floor, 0.5):0.00} ms  p99 {P(floor, 0.99):0.00} ms   ratio p50 {P(latencies, 0.5) / P(floor, 0.5):0}x");
    await Delete(admin, "/api/admin/agents/lat-1");

    // 2. Mass start across the four nodes.
    var rssBefore = nodes.Sum(n => Rss(n.Id));
    var cpuBefore = MeshChild.CpuSeconds(hub.Id);
    var mass = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
        await Post(admin, "/api/admin/agents", $$"""{"id":"mass-{{i}}","placement":"auto","command":["sleep","100000"],"stop_grace_seconds":1}""");
    var created = mass.Elapsed;
    await Until(async () => (await Json(admin, "/api/admin/agents")).GetProperty("agents").EnumerateArray().Count(a => State(a) == "running") == count, pollMs: 200, timeoutSeconds: 600);
    var allRunning = mass.Elapsed;
    var hubCpu = MeshChild.CpuSeconds(hub.Id) - cpuBefore;
    await Task.Delay(2000);
    var rssAfter = nodes.Sum(n => Rss(n.Id));
    var holders = Holders(work);
    var perNode = (await Json(admin, "/api/admin/agents")).GetProperty("agents").EnumerateArray().GroupBy(a => a.GetProperty("node_id").GetString()).Select(g => $"{g.Key} {g.Count()}");

    var floorClock = Stopwatch.StartNew();
    var raw = new List<Process>();
    for (var i = 0; i < count; i++)
        raw.Add(Process.Start("sleep", "100000")!);
    var rawElapsed = floorClock.Elapsed;
    foreach (var p in raw)
    {
        p.Kill();
        p.WaitForExit();
        p.Dispose();
    }

    Console.WriteLine($"{count} agents (auto placement: {string.Join(", ", perNode)}): created over REST in {created.TotalSeconds:0.0} s, all running after {allRunning.TotalSeconds:0.0} s ({count / allRunning.TotalSeconds:0} agents/s)");
    Console.WriteLine($"Process.Start of {count} sleep processes: {rawElapsed.TotalSeconds:0.00} s  ratio {allRunning.TotalSeconds / rawElapsed.TotalSeconds:0}x");
    Console.WriteLine($"hub CPU for the mass start: {hubCpu:0.0} s; node RSS added per agent: {(rssAfter - rssBefore) / count / 1024.0:0.0} KiB (4 nodes {rssBefore / 1048576.0:0} → {rssAfter / 1048576.0:0} MiB); per-run holder (/bin/sh) RSS {holders.AverageRss / 1024.0:0} KiB over {holders.Count} holders");
    return 0;
}
finally
{
    // Nodes first (alone: a node killed with its tree would see its runs end and start them again), then every run
    // by its cgroup (cgroup.kill) and its process group, then the hub.
    foreach (var p in processes.Skip(1))
        Signal(p.Id);
    var runIds = Directory.Exists(work) ? Directory.GetDirectories(work, "runs", SearchOption.AllDirectories).SelectMany(Directory.GetDirectories).Select(Path.GetFileName).ToHashSet() : [];
    foreach (var cgroupRoot in Directory.GetDirectories("/sys/fs/cgroup", "mesh-agents", CgroupSearch()))
    {
        foreach (var run in Directory.GetDirectories(cgroupRoot).Where(d => runIds.Contains(Path.GetFileName(d))))
        {
            try
            {
                if (File.Exists(Path.Combine(run, "cgroup.kill")))
                    File.WriteAllText(Path.Combine(run, "cgroup.kill"), "1");
            }
            catch (IOException)
            {
            }
        }
    }

    var groups = Holders(work).Pids;
    if (groups.Count > 0)
        Process.Start("kill", ["-KILL", "--", .. groups.Select(pid => "-" + pid.ToString(CultureInfo.InvariantCulture))])?.WaitForExit();
    foreach (var p in processes.Take(1))
        Signal(p.Id);
    await Task.Delay(1000);
    foreach (var cgroupRoot in Directory.GetDirectories("/sys/fs/cgroup", "mesh-agents", CgroupSearch()))
    {
        foreach (var run in Directory.GetDirectories(cgroupRoot).Where(d => runIds.Contains(Path.GetFileName(d))))
        {
            try
            {
                Directory.Delete(run);
            }
            catch (IOException)
            {
            }
        }
    }

    Directory.Delete(work, recursive: true);
}

static EnumerationOptions CgroupSearch() => new() { RecurseSubdirectories = true, IgnoreInaccessible = true, MaxRecursionDepth = 4 };

static void Signal(int pid) => Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();

Process Start(string dll, string[] args, Dictionary<string, string> environment)
{
    var process = MeshChild.Start(dll, args, environment);
    processes.Add(process);
    return process;
}

static async Task Delete(HttpClient http, string path) => (await http.DeleteAsync(path)).Dispose();

static string State(JsonElement agent) => agent.GetProperty("status").GetProperty("state").GetString()!;

static double P(List<double> sorted, double q) => sorted.Skip(sorted.Count > 20 ? 10 : 0).ToList() is var s ? s[Math.Min(s.Count - 1, (int)(q * s.Count))] : 0;

static long Rss(int pid) => long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

static (List<int> Pids, int Count, double AverageRss) Holders(string work)
{
    var pids = new List<int>();
    long total = 0;
    foreach (var dir in Directory.EnumerateDirectories("/proc"))
    {
        if (!int.TryParse(Path.GetFileName(dir), out var pid))
            continue;
        try
        {
            var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
            if (cmdline.StartsWith("/bin/sh", StringComparison.Ordinal) && cmdline.Contains(work, StringComparison.Ordinal))
            {
                pids.Add(pid);
                total += Rss(pid);
            }
        }
        catch (IOException)
        {
        }
    }

    return (pids, pids.Count, pids.Count == 0 ? 0 : (double)total / pids.Count);
}
