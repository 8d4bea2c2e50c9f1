// Output relay benchmark: RUNS runs (default 20) on one node each write 5 MB/s for SECONDS (default 20) at once; the
// bytes relayed node → hub per second, the hub's CPU per MB, heartbeat lateness and node status, and the p99 of a
// mailbox Send before and during the load; then `cat` of the same files over a plain TLS socket on loopback as the
// floor. A real hub and node process on loopback (TLS). Run: bench/output-relay.sh
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Bench;
using Mesh.Core.Auth;
using Mesh.Core.Configuration;
using Mesh.Core.Protocol;
using Mesh.Core.Readiness;
using Mesh.OutputBench;
using static Mesh.Bench.BenchHub;

const string ClusterSecret = "Kx9vQ2mT7wR4yU1iO8pA5sD3fG6hJ0kL-bench2";
const int BlockBytes = 51_200; // every 10 ms: 5.12 MB/s
var meshDll = Environment.GetEnvironmentVariable("MESH_BENCH_DLL") ?? throw new InvalidOperationException("run bench/output-relay.sh (MESH_BENCH_DLL)");
var runs = int.Parse(Environment.GetEnvironmentVariable("RUNS") ?? "20", CultureInfo.InvariantCulture);
var seconds = int.Parse(Environment.GetEnvironmentVariable("SECONDS_OF_OUTPUT") ?? "20", CultureInfo.InvariantCulture);
var perRun = (long)BlockBytes * seconds * 100;
var work = Directory.CreateTempSubdirectory("mesh-outputbench-").FullName;
var processes = new List<Process>();
try
{
    var configPath = Path.Combine(work, "mesh.toml");
    File.WriteAllText(configPath, BenchHub.Config(work, ClusterSecret, $"""
        output_limit_per_run = {Math.Max(perRun * 2, 1L << 20)}
        output_limit_total = {Math.Max(perRun * runs * 2, 1L << 30)}
        """));
    var hub = Start(["run", "--config", configPath], []);
    var (web, grpc) = HubReadyLine.Parse(await MeshChild.WaitForLineAsync(hub, HubReadyLine.Prefix));
    using var admin = new HttpClient { BaseAddress = web };
    admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
    var node = Start(["run", "--node-mode", "--config", configPath],
        NodeEnvironment("bench-1", Path.Combine(work, "node"), await MeshChild.RunTextAsync(meshDll, ["cluster-token", "--config", configPath]), grpc!));
    await MeshChild.WaitForLineAsync(node, "mesh node ready:");
    await Until(async () => (await Json(admin, "/api/admin/agent-nodes/bench-1")).GetProperty("status").GetString() == "online");

    // The mailbox probe: a Send (unary, stored before it answers) from tx to rx, 50 a second.
    var config = ConfigLoader.Load(configPath, new Dictionary<string, string?>());
    foreach (var id in new[] { "tx", "rx" })
        await Post(admin, "/api/admin/actors", $$"""{"id":"{{id}}"}""");
    var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
    trust.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(Path.Combine(config.InternalGrpc.Security.CertDir, "ca.crt")));
    using var channel = GrpcChannel.ForAddress(grpc!, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { SslOptions = { CertificateChainPolicy = trust } } });
    var mailbox = new Mailbox.MailboxClient(channel);
    var auth = config.InternalGrpc.Auth;
    var txHeaders = new Metadata { { "authorization", "Bearer " + new CallTokenIssuer(auth.Issuer, auth.Audience).MintWithRootKey(SharedSecretStore.Load(config), CallerScope.Actor, "tx", TimeSpan.FromHours(1)) } };
    async Task<List<double>> ProbeMailboxAsync(TimeSpan length)
    {
        var latencies = new List<double>();
        var start = Stopwatch.StartNew();
        for (var i = 0; start.Elapsed < length; i++)
        {
            var clock = Stopwatch.StartNew();
            await mailbox.SendAsync(new SendRequest { ToActorId = "rx", Payload = "probe " + i }, new CallOptions(txHeaders));
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            var wait = TimeSpan.FromMilliseconds(20 * (i + 1)) - start.Elapsed;
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait);
        }

        latencies.Sort();
        return latencies;
    }

    // Heartbeats: the age of the node's last heartbeat as the hub sees it, and its status, every 200 ms.
    async Task<(double MaxAgeSeconds, HashSet<string> Statuses)> WatchHeartbeatsAsync(CancellationToken stop)
    {
        var (maxAge, statuses) = (0.0, new HashSet<string>());
        while (!stop.IsCancellationRequested)
        {
            var nodeJson = await Json(admin, "/api/admin/agent-nodes/bench-1");
            statuses.Add(nodeJson.GetProperty("status").GetString()!);
            if (nodeJson.GetProperty("last_heartbeat_at").GetString() is { } last)
                maxAge = Math.Max(maxAge, (DateTimeOffset.UtcNow - DateTimeOffset.Parse(last, CultureInfo.InvariantCulture)).TotalSeconds);
            await Task.Delay(200, CancellationToken.None);
        }

        return (maxAge, statuses);
    }

    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; hub + 1 node on loopback (tls), mesh {meshDll}");
    await ProbeMailboxAsync(TimeSpan.FromSeconds(2)); // warm-up
    using (var quiet = new CancellationTokenSource())
    {
        var beats = WatchHeartbeatsAsync(quiet.Token);
        var before = await ProbeMailboxAsync(TimeSpan.FromSeconds(10));
        await quiet.CancelAsync();
        var (age, statuses) = await beats;
        Console.WriteLine($"before: mailbox Send p50 {P(before, 0.5):0.00} ms p99 {P(before, 0.99):0.00} ms ({before.Count} sends); heartbeat age max {age:0.0} s; node {string.Join("/", statuses)}");
    }

    // The load: RUNS runs, each writing a 51,200-byte block every 10 ms (on its own clock) for SECONDS.
    var writer = $"my $b = ('x' x 99 . \"\\n\") x 512; my $t = time; for my $i (1..{seconds * 100}) {{ syswrite(STDOUT, $b); my $d = $t + $i * 0.01 - time; select(undef, undef, undef, $d) if $d > 0 }}";
    var hubCpu0 = MeshChild.CpuSeconds(hub.Id);
    var nodeCpu0 = MeshChild.CpuSeconds(node.Id);
    var load = Stopwatch.StartNew();
    for (var i = 0; i < runs; i++)
        await Post(admin, "/api/admin/agents", JsonSerializer.Serialize(new Dictionary<string, object> { ["id"] = $"w{i}", ["placement"] = "bench-1", ["restart_policy"] = "never", ["command"] = new[] { "perl", "-MTime::HiRes=time", "-e", writer } }));
    using var during = new CancellationTokenSource();
    var loadBeats = WatchHeartbeatsAsync(during.Token);
    var probe = ProbeMailboxAsync(TimeSpan.FromSeconds(seconds));
    var runIds = new string[runs];
    var samples = new List<(double T, long Bytes)>();
    while (true)
    {
        long relayed = 0;
        var complete = 0;
        for (var i = 0; i < runs; i++)
        {
            runIds[i] ??= (await Json(admin, $"/api/admin/agents/w{i}")).GetProperty("status").GetProperty("run") is { ValueKind: JsonValueKind.Object } run ? run.GetProperty("run_id").GetString()! : null!;
            if (runIds[i] is null)
                continue;
            using var response = await admin.GetAsync($"/api/admin/agents/w{i}/runs/{runIds[i]}/output?from=999999999999&limit=1");
            if (!response.IsSuccessStatusCode)
                continue;
            relayed += long.Parse(response.Headers.GetValues("Mesh-Output-Stream-End").First(), CultureInfo.InvariantCulture);
            complete += response.Headers.GetValues("Mesh-Output-Complete").First() == "true" ? 1 : 0;
        }

        samples.Add((load.Elapsed.TotalSeconds, relayed));
        if (complete == runs || load.Elapsed > TimeSpan.FromSeconds(seconds * 10))
            break;
        await Task.Delay(500);
    }

    var allRelayed = load.Elapsed;
    var hubCpu = MeshChild.CpuSeconds(hub.Id) - hubCpu0;
    var nodeCpu = MeshChild.CpuSeconds(node.Id) - nodeCpu0;
    await during.CancelAsync();
    var (loadAge, loadStatuses) = await loadBeats;
    var duringProbe = await probe;
    var total = samples[^1].Bytes;
    var mb = total / 1e6;
    // The steady part: from the first sample with output to the one where writing ends.
    var writing = samples.Where(s => s.T <= seconds + 2 && s.Bytes > 0).ToList();
    var steady = writing.Count > 1 ? (writing[^1].Bytes - writing[0].Bytes) / (writing[^1].T - writing[0].T) / 1e6 : 0;
    Console.WriteLine($"during: mailbox Send p50 {P(duringProbe, 0.5):0.00} ms p99 {P(duringProbe, 0.99):0.00} ms ({duringProbe.Count} sends); heartbeat age max {loadAge:0.0} s; node {string.Join("/", loadStatuses)}");
    Console.WriteLine($"relay: {runs} runs × {perRun / 1e6:0.0} MB = {mb:0} MB on the hub (complete: {samples[^1].Bytes == perRun * runs}) after {allRelayed.TotalSeconds:0.0} s from the first create: {mb / allRelayed.TotalSeconds:0.0} MB/s overall, {steady:0.0} MB/s while writing (offered {runs * BlockBytes * 100 / 1e6:0.0} MB/s)");
    Console.WriteLine($"CPU: hub {hubCpu:0.0} s ({hubCpu * 1000 / mb:0.00} ms/MB), node {nodeCpu:0.0} s ({nodeCpu * 1000 / mb:0.00} ms/MB)");

    // The floor: the same files (the node's copy of each run's stdout) over one TLS socket on loopback.
    var files = runIds.Select(r => Path.Combine(work, "node", "runs", r, "stdout")).ToList();
    var floor = await TlsFloor.CatAsync(files);
    var floorRate = floor.Bytes / 1e6 / floor.Elapsed.TotalSeconds;
    Console.WriteLine($"floor: cat of the same {floor.Bytes / 1e6:0} MB over TLS on loopback: {floor.Elapsed.TotalSeconds:0.00} s = {floorRate:0} MB/s, {floor.CpuSeconds * 1000 / (floor.Bytes / 1e6):0.00} ms CPU/MB (both ends)");
    Console.WriteLine($"ratio: hub+node CPU per MB {(hubCpu + nodeCpu) / mb / (floor.CpuSeconds / (floor.Bytes / 1e6)):0.0}× the floor's; the floor moves the bytes {floorRate / (mb / allRelayed.TotalSeconds):0}× faster than they were relayed (the relay is paced by the writers)");
    return 0;
}
finally
{
    foreach (var p in processes.Skip(1))
        Kill(p.Id, group: false);
    // Every run: its holder leads a process group whose command line names this bench's folder.
    foreach (var dir in Directory.EnumerateDirectories("/proc"))
    {
        if (!int.TryParse(Path.GetFileName(dir), out var pid))
            continue;
        try
        {
            if (File.ReadAllText(Path.Combine(dir, "cmdline")).StartsWith("/bin/sh", StringComparison.Ordinal) && File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(work, StringComparison.Ordinal))
                Kill(pid, group: true);
        }
        catch (IOException)
        {
        }
    }

    foreach (var p in processes.Take(1))
        Kill(p.Id, group: false);
    await Task.Delay(1000);
    Directory.Delete(work, recursive: true);
}

static void Kill(int pid, bool group) => Process.Start("kill", ["-KILL", "--", (group ? "-" : "") + pid.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();

Process Start(string[] args, Dictionary<string, string> environment)
{
    environment["Logging__LogLevel__Default"] = "Warning";
    var process = MeshChild.Start(meshDll, args, environment);
    processes.Add(process);
    return process;
}

static double P(List<double> sorted, double q) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
