using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Net.Client;
using Mesh.Bench.Rpc;

// One command: dotnet run -c Release --project bench/RpcBench [-- --runs 5 --requests 100000 --messages 2000000]
// grpc-dotnet unary vs bare Kestrel HTTP/2 under h2load (same server, same TLS, alternating runs), then one-stream
// streaming throughput with Grpc.Net.Client.
var runs = Option("--runs", 5);
var requests = Option("--requests", 100_000);
var clients = Option("--clients", 4);
var streams = Option("--streams", 32);
var messages = Option("--messages", 2_000_000);

if (!File.Exists(H2Load.Executable))
{
    Console.Error.WriteLine($"{H2Load.Executable} not found: apt-get install -y nghttp2-client");
    return 2;
}

await using var server = await BenchServer.StartAsync();
if (args.Contains("--serve"))
{
    // For profiling: serve until stdin closes.
    Console.WriteLine($"PORT {server.Port} PID {Environment.ProcessId}");
    await Console.In.ReadToEndAsync();
    return 0;
}

var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
trust.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(server.Certificate.RawData));
using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{server.Port}", new GrpcChannelOptions
{
    HttpHandler = new SocketsHttpHandler { SslOptions = { CertificateChainPolicy = trust }, EnableMultipleHttp2Connections = true },
});
var client = new Bench.BenchClient(channel);
var check = await client.UnaryAsync(new Payload { Data = ByteString.CopyFromUtf8("hi!") });
if (check.Data.ToStringUtf8() != "ok\n")
{
    throw new InvalidOperationException("the unary endpoint answered wrongly");
}

Console.WriteLine($"# gRPC benchmark (Grpc.AspNetCore / Grpc.Net.Client 2.85.0) — {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, TLS, loopback");
Console.WriteLine();

// Same 10-byte body for both endpoints: one gRPC frame holding Payload{data="hi!"}.
var frame = new byte[5 + new Payload { Data = ByteString.CopyFromUtf8("hi!") }.CalculateSize()];
System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)(frame.Length - 5));
new Payload { Data = ByteString.CopyFromUtf8("hi!") }.WriteTo(frame.AsSpan(5));
var bodyFile = Path.GetTempFileName();
await File.WriteAllBytesAsync(bodyFile, frame);
var grpcUrl = $"https://127.0.0.1:{server.Port}{BenchServer.UnaryPath}";
var bareUrl = $"https://127.0.0.1:{server.Port}/bare";
var handUrl = $"https://127.0.0.1:{server.Port}/handwritten";
string[] grpcHeaders = ["content-type: application/grpc", "te: trailers"];
string[] bareHeaders = ["content-type: application/octet-stream"];

Console.WriteLine($"## Unary: h2load -n {requests} -c {clients} -m {streams} -t 1, alternating runs (first pair is warm-up)");
Console.WriteLine();
await H2Load.RunAsync(grpcUrl, bodyFile, requests, clients, streams, grpcHeaders);
await H2Load.RunAsync(bareUrl, bodyFile, requests, clients, streams, bareHeaders);
var grpc = new List<double>();
var bare = new List<double>();
var ratios = new List<double>();
var grpcCpu = new List<double>();
var bareCpu = new List<double>();
Console.WriteLine("| run | grpc-dotnet unary req/s | bare HTTP/2 req/s | ratio | server CPU µs/req grpc-dotnet | bare | ratio (bare/grpc-dotnet) |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (var i = 1; i <= runs; i++)
{
    // Alternate which goes first so neither always runs on a warmer machine.
    H2Load.Result g, b;
    if (i % 2 == 1)
    {
        g = await Measured(grpcUrl, grpcHeaders, grpcCpu);
        b = await Measured(bareUrl, bareHeaders, bareCpu);
    }
    else
    {
        b = await Measured(bareUrl, bareHeaders, bareCpu);
        g = await Measured(grpcUrl, grpcHeaders, grpcCpu);
    }

    foreach (var r in new[] { g, b })
    {
        if (r.Succeeded != r.Total || r.Status2xx != r.Total)
        {
            throw new InvalidOperationException("h2load saw failures:\n" + r.Raw);
        }
    }

    grpc.Add(g.RequestsPerSecond);
    bare.Add(b.RequestsPerSecond);
    ratios.Add(g.RequestsPerSecond / b.RequestsPerSecond);
    Console.WriteLine($"| {i} | {g.RequestsPerSecond:F0} | {b.RequestsPerSecond:F0} | {g.RequestsPerSecond / b.RequestsPerSecond:P1} | {grpcCpu[^1]:F1} | {bareCpu[^1]:F1} | {bareCpu[^1] / grpcCpu[^1]:P1} |");
}

var grpcMedian = Median(grpc);
var bareMedian = Median(bare);
Console.WriteLine($"| median | {grpcMedian:F0} | {bareMedian:F0} | {grpcMedian / bareMedian:P1} | {Median(grpcCpu):F1} | {Median(bareCpu):F1} | {Median(bareCpu) / Median(grpcCpu):P1} |");
Console.WriteLine();
Console.WriteLine($"Median of the per-pair ratios: {Median(ratios):P1}; load average at the end: {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
Console.WriteLine();

// grpc-dotnet vs a hand-written gRPC-shaped endpoint (same wire work, no framework), alternating as above.
var handCpu = new List<double>();
var ourCpu = new List<double>();
var hand = new List<double>();
var ours = new List<double>();
Console.WriteLine("| run | grpc-dotnet unary req/s | hand-written gRPC req/s | server CPU µs/req grpc-dotnet | hand-written |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
for (var i = 1; i <= runs; i++)
{
    H2Load.Result o, h;
    if (i % 2 == 1)
    {
        o = await Measured(grpcUrl, grpcHeaders, ourCpu);
        h = await Measured(handUrl, grpcHeaders, handCpu);
    }
    else
    {
        h = await Measured(handUrl, grpcHeaders, handCpu);
        o = await Measured(grpcUrl, grpcHeaders, ourCpu);
    }

    ours.Add(o.RequestsPerSecond);
    hand.Add(h.RequestsPerSecond);
    Console.WriteLine($"| {i} | {o.RequestsPerSecond:F0} | {h.RequestsPerSecond:F0} | {ourCpu[^1]:F1} | {handCpu[^1]:F1} |");
}

Console.WriteLine($"| median | {Median(ours):F0} | {Median(hand):F0} | {Median(ourCpu):F1} | {Median(handCpu):F1} |");
Console.WriteLine();

Console.WriteLine("Server allocation per request (last run): " + string.Join(", ", Allocations.Select(a => $"{a.Key[(a.Key.LastIndexOf('/') + 1)..]} {a.Value:F0} B")));
Console.WriteLine();

var payload = new Payload { Data = ByteString.CopyFrom(new byte[98]) };
Console.WriteLine($"## Streaming, one stream, {payload.CalculateSize()}-byte messages (+5-byte frame header), Grpc.Net.Client ↔ Grpc.AspNetCore, TLS");
Console.WriteLine();
await EchoAsync(client, payload, 100_000);
await UploadAsync(client, payload, 100_000);
await DownloadAsync(client, 100_000);
Console.WriteLine("| run | server→client (server streaming, the Watch direction) msg/s | client→server (client streaming) msg/s | echo (bidi, each message both ways) msg/s |");
Console.WriteLine("| --- | ---: | ---: | ---: |");
var downloads = new List<double>();
var uploads = new List<double>();
var echoes = new List<double>();
for (var i = 1; i <= 3; i++)
{
    var down = await DownloadAsync(client, messages);
    var up = await UploadAsync(client, payload, messages);
    var echo = await EchoAsync(client, payload, messages);
    downloads.Add(down);
    uploads.Add(up);
    echoes.Add(echo);
    Console.WriteLine($"| {i} | {down:F0} | {up:F0} | {echo:F0} |");
}

Console.WriteLine($"| median | {Median(downloads):F0} | {Median(uploads):F0} | {Median(echoes):F0} |");
File.Delete(bodyFile);
return 0;

// The server runs in this process: its CPU time per request is a load-independent cost figure.
async Task<H2Load.Result> Measured(string url, string[] headers, List<double> cpu)
{
    var process = Process.GetCurrentProcess();
    var before = process.TotalProcessorTime;
    var allocated = GC.GetTotalAllocatedBytes();
    var result = await H2Load.RunAsync(url, bodyFile, requests, clients, streams, headers);
    process.Refresh();
    cpu.Add((process.TotalProcessorTime - before).TotalMicroseconds / requests);
    Allocations[url] = (GC.GetTotalAllocatedBytes() - allocated) / (double)requests;
    return result;
}

static async Task<double> DownloadAsync(Bench.BenchClient client, int count)
{
    var sw = Stopwatch.StartNew();
    using var call = client.Download(new Payload { Data = ByteString.CopyFromUtf8(count.ToString(CultureInfo.InvariantCulture)) });
    var received = 0;
    while (await call.ResponseStream.MoveNext(CancellationToken.None))
        received++;
    sw.Stop();
    if (received != count)
        throw new InvalidOperationException($"received {received} of {count}");
    return count / sw.Elapsed.TotalSeconds;
}

static async Task<double> UploadAsync(Bench.BenchClient client, Payload payload, int count)
{
    var sw = Stopwatch.StartNew();
    using var call = client.Upload();
    for (var i = 0; i < count; i++)
    {
        await call.RequestStream.WriteAsync(payload);
    }

    await call.RequestStream.CompleteAsync();
    var reply = await call.ResponseAsync;
    sw.Stop();
    if (reply.Data.ToStringUtf8() != count.ToString(CultureInfo.InvariantCulture))
    {
        throw new InvalidOperationException($"server counted {reply.Data.ToStringUtf8()} of {count}");
    }

    return count / sw.Elapsed.TotalSeconds;
}

static async Task<double> EchoAsync(Bench.BenchClient client, Payload payload, int count)
{
    var sw = Stopwatch.StartNew();
    using var call = client.Echo();
    var reader = Task.Run(async () =>
    {
        var received = 0;
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            received++;
        }

        return received;
    });
    for (var i = 0; i < count; i++)
    {
        await call.RequestStream.WriteAsync(payload);
    }

    await call.RequestStream.CompleteAsync();
    var got = await reader;
    sw.Stop();
    if (got != count)
    {
        throw new InvalidOperationException($"received {got} of {count} echoes");
    }

    return count / sw.Elapsed.TotalSeconds;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

internal static partial class Program
{
    private static readonly Dictionary<string, double> Allocations = [];
}
