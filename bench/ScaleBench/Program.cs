using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.ScaleBench;

// N simulated nodes over real TLS (mTLS by default) on loopback, attached to one real hub process with 5 s
// heartbeats. For each N: enroll, attach, hold for a measurement window, report hub CPU and memory, and
// whether every heartbeat stayed on time (no node ever degraded or offline, as the hub itself judges it).
// With --hubs 2 the hubs share one PostgreSQL database (started here, durable settings) and one CA; node i attaches
// to hub i mod 2, and each hub's CPU and memory are reported ("a / b").
//
//   dotnet run -c Release --project bench/ScaleBench -- --nodes 1000,2000,4000 --window 60 --mode mtls [--hubs 2] [--hub-env DOTNET_gcServer=0]

var nodeCounts = Arg("--nodes", "1000,2000").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToList();
var window = TimeSpan.FromSeconds(int.Parse(Arg("--window", "60"), CultureInfo.InvariantCulture));
var mode = Arg("--mode", "mtls");
// e.g. --hub-env DOTNET_gcServer=0 (several: comma-separated)
var hubEnvironment = Arg("--hub-env", "").Split(',', StringSplitOptions.RemoveEmptyEntries);
var hubCount = int.Parse(Arg("--hubs", "1"), CultureInfo.InvariantCulture);
var interval = TimeSpan.FromSeconds(5);
var meshDll = FindMeshDll();
Console.WriteLine($"ScaleBench: {Environment.ProcessorCount} cores, mode {mode}, {hubCount} hub(s){(hubCount > 1 ? " on PostgreSQL" : "")}, heartbeat every {interval.TotalSeconds:0} s, window {window.TotalSeconds:0} s, hub {meshDll} {string.Join(' ', hubEnvironment)}");
Console.WriteLine("| nodes | enroll s | attach s | hub CPU % (of one core) | hub RSS MiB | degraded/offline seen | heartbeats sent | send p99 late ms | holds |");
Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
foreach (var n in nodeCounts)
    await RunAsync(n);
return 0;

async Task RunAsync(int n)
{
    var folder = Path.Combine(Path.GetTempPath(), "mesh-scalebench-" + Guid.NewGuid().ToString("N")[..8]);
    Directory.CreateDirectory(folder);
    const string apiToken = "ScaleBench-api-token-0123456789-ABCDEFGHIJ";
    await using var postgres = hubCount > 1 ? await Mesh.Bench.PostgresInstance.StartAsync() : null;
    var store = "";
    var environment = hubEnvironment.ToList();
    if (postgres is not null)
    {
        await postgres.CreateDatabaseAsync("scale");
        store = postgres.StoreToml("scale", "MESH_BENCH_PG_PASSWORD");
        environment.Add("MESH_BENCH_PG_PASSWORD=" + postgres.Password);
    }

    // The hubs share the CA (one cert_dir) and the database; each has its own data_dir. The first creates the CA.
    var hubs = new List<HubProcess>();
    for (var h = 0; h < hubCount; h++)
    {
        var config = Path.Combine(folder, $"hub{h}.toml");
        File.WriteAllText(config, $"""
            [server]
            listen = "127.0.0.1:0"
            data_dir = "hub{h}-data"
            [internal_grpc]
            listen = "127.0.0.1:0"
            [internal_grpc.security]
            mode = "{mode}"
            cert_dir = "hub-certs"
            [admin]
            api_token = "{apiToken}"
            {store}
            """);
        hubs.Add(await HubProcess.StartAsync(meshDll, config, environment));
    }

    await using var hubsStop = new HubsOwner(hubs);
    var admins = hubs.Select(h =>
    {
        var client = new HttpClient { BaseAddress = h.Web };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiToken);
        return client;
    }).ToList();
    var admin = admins[0];
    using var stop = new CancellationTokenSource();

    var nodes = new List<SimulatedNode>(n);
    var sw = Stopwatch.StartNew();
    for (var batch = 0; batch < n; batch += 1000)
    {
        var uses = Math.Min(1000, n - batch);
        var created = await admin.PostAsJsonAsync("/api/admin/join-tokens", new { ttl = "1h", uses });
        var token = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        for (var i = 0; i < uses; i++)
            nodes.Add(new SimulatedNode($"sim-{batch + i:00000}", folder, hubs[(batch + i) % hubCount].Grpc, token, mode));
    }

    await Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (node, ct) => await node.EnrollAsync(ct));
    var enrollSeconds = sw.Elapsed.TotalSeconds;
    sw.Restart();

    // Heartbeats: each node on its own 5 s schedule from the moment it attaches, first beat within one interval.
    var lateness = new List<double>();
    var sent = 0L;
    var beating = new System.Collections.Concurrent.ConcurrentBag<Task>();
    await Parallel.ForEachAsync(nodes, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (node, ct) =>
    {
        await node.AttachAsync(stop.Token);
        beating.Add(Task.Run(() => BeatAsync(node), CancellationToken.None));
    });
    var attachSeconds = sw.Elapsed.TotalSeconds;

    async Task BeatAsync(SimulatedNode node)
    {
        var next = DateTime.UtcNow + (interval * Random.Shared.NextDouble());
        while (!stop.IsCancellationRequested)
        {
            var wait = next - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            if (stop.IsCancellationRequested)
                break;
            var late = (DateTime.UtcNow - next).TotalMilliseconds;
            try
            {
                await node.HeartbeatAsync(stop.Token);
                Interlocked.Increment(ref sent);
                lock (lateness)
                    lateness.Add(late);
            }
            catch (Exception ex) when (ex is OperationCanceledException or Grpc.Core.RpcException or InvalidOperationException)
            {
                break;
            }

            next += interval;
        }
    }

    // Each hub judges the nodes whose sessions it holds (node i is on hub i mod hubs).
    var own = Enumerable.Range(0, hubCount).Select(h => nodes.Where((_, i) => i % hubCount == h).Select(x => x.Id).ToHashSet(StringComparer.Ordinal)).ToList();
    for (var h = 0; h < hubCount; h++)
        await WaitAllOnlineAsync(admins[h], own[h], TimeSpan.FromSeconds(60));
    lock (lateness)
        lateness.Clear();
    Interlocked.Exchange(ref sent, 0);
    var cpuStart = hubs.Select(h => h.CpuTime()).ToList();
    var wallStart = Stopwatch.GetTimestamp();
    var worstBad = 0;
    var peakRss = new long[hubCount];
    while (Stopwatch.GetElapsedTime(wallStart) < window)
    {
        // Polled every 2 s (a degraded state lasts at least until the next heartbeat, 2.5 s or more); the poll itself
        // costs the hub a little CPU, counted in the figures.
        await Task.Delay(2000);
        var bad = 0;
        for (var h = 0; h < hubCount; h++)
        {
            bad += JsonDocument.Parse(await admins[h].GetStringAsync("/api/admin/agent-nodes")).RootElement.GetProperty("nodes")
                .EnumerateArray().Where(e => own[h].Contains(e.GetProperty("id").GetString()!))
                .Count(e => e.GetProperty("status").GetString() is not "online");
            peakRss[h] = Math.Max(peakRss[h], hubs[h].ResidentBytes());
        }

        worstBad = Math.Max(worstBad, bad);
    }

    var elapsed = Stopwatch.GetElapsedTime(wallStart).TotalSeconds;
    var cpu = string.Join(" / ", hubs.Select((h, i) => ((h.CpuTime() - cpuStart[i]).TotalSeconds / elapsed * 100).ToString("0.0", CultureInfo.InvariantCulture)));
    var rss = string.Join(" / ", peakRss.Select(b => (b / (1024.0 * 1024)).ToString("0", CultureInfo.InvariantCulture)));
    double p99;
    lock (lateness)
        p99 = lateness.Count == 0 ? double.NaN : lateness.Order().ElementAt((int)(lateness.Count * 0.99));
    var holds = worstBad == 0 && sent >= n * (window.TotalSeconds / interval.TotalSeconds) * 0.95;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {n} | {enrollSeconds:0.0} | {attachSeconds:0.0} | {cpu} | {rss} | {worstBad} | {sent} | {p99:0} | {(holds ? "yes" : "NO")} |"));

    await stop.CancelAsync();
    await Task.WhenAll(beating.ToArray());
    foreach (var node in nodes)
        node.Dispose();
    try
    {
        Directory.Delete(folder, recursive: true);
    }
    catch (IOException)
    {
    }
}

static async Task WaitAllOnlineAsync(HttpClient admin, IReadOnlySet<string> ids, TimeSpan timeout)
{
    var deadline = DateTime.UtcNow + timeout;
    while (DateTime.UtcNow < deadline)
    {
        var online = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/agent-nodes")).RootElement.GetProperty("nodes")
            .EnumerateArray().Count(e => ids.Contains(e.GetProperty("id").GetString()!) && e.GetProperty("status").GetString() == "online");
        if (online == ids.Count)
            return;
        await Task.Delay(500);
    }

    var statuses = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/agent-nodes")).RootElement.GetProperty("nodes").EnumerateArray()
        .Where(e => ids.Contains(e.GetProperty("id").GetString()!))
        .GroupBy(e => e.GetProperty("status").GetString()).Select(g => $"{g.Key}={g.Count()}");
    throw new TimeoutException($"not all {ids.Count} nodes came online within {timeout}: {string.Join(", ", statuses)}");
}


string Arg(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}

static string FindMeshDll()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        foreach (var configuration in new[] { "Release", "Debug" })
        {
            var path = Path.Combine(dir.FullName, "src", "Mesh", "bin", configuration, "net10.0", "mesh.dll");
            if (File.Exists(Path.Combine(dir.FullName, "Mesh.sln")) && File.Exists(path))
                return path;
        }
    }

    throw new FileNotFoundException("build src/Mesh first (dotnet build -c Release src/Mesh)");
}

/// <summary>Stops every hub when the run ends.</summary>
internal sealed class HubsOwner(List<HubProcess> hubs) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        foreach (var hub in hubs)
            await hub.DisposeAsync();
    }
}
