using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Core.Protocol;
using MailboxGrpc = Mesh.Core.Protocol.Mailbox;

namespace Mesh.MailboxBench;

/// <summary>
/// The hub's resident memory fresh, with N open Watch streams, 30 s after closing them all, and after a full blocking
/// GC (forced by dotnet-gcdump when it is installed: <c>dotnet tool install --tool-path bench/.tools dotnet-gcdump</c>),
/// whose heap report then shows what is still held. One run per GC setting given on the command line.
/// </summary>
internal static class WatchMemory
{
    private const int StreamsPerActor = 100;

    public static async Task RunAsync(string root, int streams, string gc)
    {
        var environment = gc switch
        {
            "workstation" => new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" },
            "server" => new Dictionary<string, string> { ["DOTNET_gcServer"] = "1" },
            "conserve" => new Dictionary<string, string> { ["DOTNET_GCConserveMemory"] = "7" },
            _ => new Dictionary<string, string>(),
        };
        await using var mesh = await MeshTarget.StartAsync(root, $"""
            [mailbox]
            max_watch_streams = {streams + 100}
            max_watch_streams_per_actor = {StreamsPerActor}
            """, environment);
        var pid = mesh.Server.Id;
        var actors = Enumerable.Range(0, (streams + StreamsPerActor - 1) / StreamsPerActor).Select(i => $"watcher-{i}").ToList();
        await mesh.CreateActorsAsync(actors);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var fresh = Rss(pid);

        var started = Stopwatch.GetTimestamp();
        var (channel, calls) = await OpenAsync(mesh, actors, streams);
        var opened = Stopwatch.GetElapsedTime(started);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var open = Rss(pid);

        Close(channel, calls);
        await Task.Delay(TimeSpan.FromSeconds(30));
        var closed = Rss(pid);

        // The same number again: memory the first round left committed is reused, not added to.
        (channel, calls) = await OpenAsync(mesh, actors, streams);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var reopened = Rss(pid);
        Close(channel, calls);
        await Task.Delay(TimeSpan.FromSeconds(30));

        var (afterGc, heap) = await ForcedGcAsync(root, pid);
        var committed = await GcCommittedAsync(root, pid);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {gc} | {fresh / 1024.0:0} | {streams:N0} in {opened.TotalSeconds:0.0} s | {open / 1024.0:0} | {(open - fresh) / (double)streams:0.0} KiB | {closed / 1024.0:0} | {reopened / 1024.0:0} | {(afterGc is { } a ? (a / 1024.0).ToString("0", CultureInfo.InvariantCulture) : "–")} | {committed ?? "–"} |"));
        if (heap is not null)
            Console.WriteLine(heap);
    }

    private static async Task<(GrpcChannel, List<AsyncServerStreamingCall<MailboxMessage>>)> OpenAsync(MeshTarget mesh, List<string> actors, int streams)
    {
        var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        trust.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(mesh.CaPath));
        var channel = GrpcChannels.Create(mesh.Grpc, new SocketsHttpHandler { SslOptions = { CertificateChainPolicy = trust }, EnableMultipleHttp2Connections = true });
        var client = new MailboxGrpc.MailboxClient(channel);
        var calls = new List<AsyncServerStreamingCall<MailboxMessage>>(streams);
        for (var i = 0; i < streams; i += 200)
        {
            var batch = Enumerable.Range(i, Math.Min(200, streams - i)).Select(n =>
            {
                var actor = actors[n / StreamsPerActor];
                var call = client.Watch(new WatchRequest { ActorId = actor }, new CallOptions(mesh.ActorHeaders(actor)));
                calls.Add(call);
                return call.ResponseHeadersAsync;
            }).ToList();
            await Task.WhenAll(batch);
        }

        return (channel, calls);
    }

    private static void Close(GrpcChannel channel, List<AsyncServerStreamingCall<MailboxMessage>> calls)
    {
        foreach (var call in calls)
            call.Dispose();
        channel.Dispose();
    }

    /// <summary>The GC's committed memory (dotnet.gc.heap... counters via dotnet-counters, when installed), in MiB.</summary>
    private static async Task<string?> GcCommittedAsync(string root, int pid)
    {
        var tool = Path.Combine(root, "bench", ".tools", "dotnet-counters");
        if (!File.Exists(tool))
            return null;
        var file = Path.Combine(Path.GetTempPath(), $"mesh-watch-{pid}-counters");
        await RunToolAsync(tool, "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "--counters", "System.Runtime[dotnet.gc.last_collection.memory.committed_size]", "--duration", "00:00:00:04", "--format", "csv", "-o", file);
        var csv = file + ".csv";
        if (!File.Exists(csv))
            return null;
        var last = File.ReadLines(csv).LastOrDefault(l => l.Contains("committed", StringComparison.Ordinal));
        File.Delete(csv);
        var value = last?.Split(',').Last();
        return double.TryParse(value, CultureInfo.InvariantCulture, out var bytes) ? (bytes / (1024 * 1024)).ToString("0", CultureInfo.InvariantCulture) : value;
    }

    /// <summary>dotnet-gcdump collect makes the runtime run a full blocking GC before it walks the heap.</summary>
    private static async Task<(long? Rss, string? Heap)> ForcedGcAsync(string root, int pid)
    {
        var tool = Path.Combine(root, "bench", ".tools", "dotnet-gcdump");
        if (!File.Exists(tool))
            return (null, null);
        var dump = Path.Combine(Path.GetTempPath(), $"mesh-watch-{pid}.gcdump");
        await RunToolAsync(tool, "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", dump);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var rss = Rss(pid);
        var report = await RunToolAsync(tool, "report", dump);
        File.Delete(dump);
        var top = string.Join('\n', report.Split('\n').Take(25));
        return (rss, "```\n" + top + "\n```");
    }

    private static async Task<string> RunToolAsync(string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    /// <summary>Resident set size in KiB (/proc/PID/status VmRSS).</summary>
    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }

        throw new InvalidOperationException("no VmRSS for " + pid);
    }
}
