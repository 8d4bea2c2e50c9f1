// Join benchmark: enrollments per second against one real hub process on loopback (mtls), side by side with
// authenticated Whoami calls on the same hub (the ratio shows what a CSR signature + store write costs), and the
// time from starting a node process to "mesh node ready". Run: bench/join.sh
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Core.Configuration;
using Mesh.Core.Protocol;
using Mesh.Node.Connection;
using Mesh.Node.Identity;
using Mesh.Node.Join;
using Mesh.Pki;
using Mesh.Core.Readiness;

const string ApiToken = "Bench-api-token-0123456789-ABCDEFGHIJ-xyz";
var root = FindRoot();
var meshDll = Environment.GetEnvironmentVariable("MESH_BENCH_DLL") ?? Path.Combine(root, "src/Mesh/bin/Release/net10.0/mesh.dll");
if (!File.Exists(meshDll))
{
    Console.Error.WriteLine($"run bench/join.sh (it publishes mesh first); {meshDll} is missing");
    return 1;
}

var work = Directory.CreateTempSubdirectory("mesh-joinbench-").FullName;
try
{
    File.WriteAllText(Path.Combine(work, "hub.toml"), $"""
        [server]
        listen = "127.0.0.1:0"
        data_dir = "hub-data"
        [internal_grpc]
        listen = "127.0.0.1:0"
        [internal_grpc.security]
        mode = "mtls"
        cert_dir = "hub-certs"
        [admin]
        api_token = "{ApiToken}"
        """);
    using var hub = StartMesh(meshDll, Path.Combine(work, "hub.toml"));
    var ready = await WaitForLine(hub, "mesh hub ready:");
    var (web, grpcUri) = HubReadyLine.Parse(ready);
    var grpc = grpcUri!;
    using var admin = new HttpClient { BaseAddress = web };
    admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);

    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; hub {grpc} (mtls, separate process, {meshDll})");
    var ca = X509FromPem(File.ReadAllText(Path.Combine(work, "hub-certs", "ca.crt")));

    // A reference node identity for the Whoami comparison.
    var reference = await EnrollInProcessAsync(work, grpc, "reference", await CreateToken(admin, 1));

    foreach (var concurrency in new[] { 1, 8, 32 })
    {
        var enroll = await MeasureEnrollmentsAsync(admin, grpc, ca, concurrency, TimeSpan.FromSeconds(6));
        var whoami = await MeasureWhoamiAsync(reference, concurrency, TimeSpan.FromSeconds(6));
        Console.WriteLine($"concurrency {concurrency,2}: enroll {enroll,8:0.0}/s   whoami {whoami,8:0.0}/s   enroll/whoami {enroll / whoami:0.000}");
    }

    var startups = new List<double>();
    for (var i = 0; i < 5; i++)
        startups.Add(await NodeStartToEnrolledAsync(meshDll, work, grpc, await CreateToken(admin, 1), $"start-{i}"));
    startups.Sort();
    Console.WriteLine($"node process start -> 'mesh node ready' (enrolled + first authenticated call): median {startups[2]:0} ms, min {startups[0]:0} ms, max {startups[^1]:0} ms (5 runs)");
    return 0;
}
finally
{
    try { Directory.Delete(work, true); } catch (IOException) { }
}

static async Task<double> MeasureEnrollmentsAsync(HttpClient admin, Uri grpc, System.Security.Cryptography.X509Certificates.X509Certificate2 ca, int concurrency, TimeSpan duration)
{
    var token = await CreateToken(admin, 1000);
    var count = 0;
    var stop = DateTime.UtcNow + duration;
    var workers = Enumerable.Range(0, concurrency).Select(async _ =>
    {
        using var connection = HubConnection.ForEnrollment(grpc, HubTrust.FromCa(ca, TimeProvider.System), "bench", TimeProvider.System);
        while (DateTime.UtcNow < stop)
        {
            var nodeId = $"n{Interlocked.Increment(ref NodeIds.Next)}";
            var (csr, key) = CertificateSigningRequestInfo.Create(nodeId, []);
            key.Dispose();
            await connection.Join.EnrollAsync(new EnrollRequest { Token = token, NodeId = nodeId, CsrPem = csr }, connection.Call(TimeSpan.FromSeconds(30), CancellationToken.None));
            Interlocked.Increment(ref count);
        }
    });
    var started = Stopwatch.GetTimestamp();
    await Task.WhenAll(workers);
    return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
}

static async Task<double> MeasureWhoamiAsync(HubConnection connection, int concurrency, TimeSpan duration)
{
    var count = 0;
    var stop = DateTime.UtcNow + duration;
    var started = Stopwatch.GetTimestamp();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (DateTime.UtcNow < stop)
        {
            await connection.Join.WhoamiAsync(new WhoamiRequest(), connection.Call(TimeSpan.FromSeconds(30), CancellationToken.None));
            Interlocked.Increment(ref count);
        }
    }));
    return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
}

static async Task<HubConnection> EnrollInProcessAsync(string work, Uri grpc, string nodeId, string token)
{
    var path = WriteNodeConfig(work, grpc, nodeId, token);
    var config = ConfigLoader.Load(path, new Dictionary<string, string?>());
    var files = new NodeIdentityFiles(config.InternalGrpc.Security.CertDir);
    await new NodeEnroller(config, files, TimeProvider.System).EnrollAsync(CancellationToken.None);
    return HubConnection.ForIdentity(grpc, files.Load(), nodeId, config, TimeProvider.System);
}

static async Task<double> NodeStartToEnrolledAsync(string meshDll, string work, Uri grpc, string token, string nodeId)
{
    var path = WriteNodeConfig(work, grpc, nodeId, token);
    var started = Stopwatch.GetTimestamp();
    using var node = StartMesh(meshDll, path);
    await WaitForLine(node, "mesh node ready:");
    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    node.Kill();
    await node.WaitForExitAsync();
    return elapsed;
}

static string WriteNodeConfig(string work, Uri grpc, string nodeId, string token)
{
    var path = Path.Combine(work, $"{nodeId}.toml");
    File.WriteAllText(path, $"""
        [server]
        role = "node"
        node_id = "{nodeId}"
        data_dir = "{nodeId}-data"
        [internal_grpc.security]
        mode = "mtls"
        cert_dir = "{nodeId}-certs"
        [internal_grpc.bootstrap]
        token = "{token}"
        [hub]
        target = "{grpc.ToString().TrimEnd('/')}"
        """);
    return path;
}

static async Task<string> CreateToken(HttpClient admin, int uses)
{
    var response = await admin.PostAsJsonAsync("/api/admin/join-tokens", new { ttl = "1h", uses });
    response.EnsureSuccessStatusCode();
    return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
}

static Process StartMesh(string meshDll, string config)
{
    var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    info.ArgumentList.Add(meshDll);
    info.ArgumentList.Add("run");
    info.ArgumentList.Add("--config");
    info.ArgumentList.Add(config);
    return Process.Start(info)!;
}

static async Task<string> WaitForLine(Process process, string prefix)
{
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
    while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
    {
        if (line.StartsWith(prefix, StringComparison.Ordinal))
        {
            _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None); // keep draining
            return line;
        }
    }

    throw new InvalidOperationException($"process exited before '{prefix}': {await process.StandardError.ReadToEndAsync()}");
}

static System.Security.Cryptography.X509Certificates.X509Certificate2 X509FromPem(string pem) =>
    System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Mesh.sln")))
            return dir.FullName;
    }

    throw new InvalidOperationException("Mesh.sln not found");
}

internal static class NodeIds
{
    public static int Next;
}
