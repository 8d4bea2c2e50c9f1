using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Mesh.Core.Auth;
using Mesh.Core.Configuration;
using Mesh.Core.Protocol;
using Grpc.Core;
using Grpc.Net.Client;
using MailboxGrpc = Mesh.Core.Protocol.Mailbox;
using Mesh.Core.Readiness;

namespace Mesh.MailboxBench;

/// <summary>The real mesh hub as a child process: Send (unary) → Watch (server stream) → Ack (batched), over TLS on loopback.</summary>
internal sealed class MeshTarget : IAsyncDisposable
{
    private const string ApiToken = "Mailbox-bench-api-token-0123456789-ABCDEF";
    private readonly string _dir;
    private readonly Process _process;
    private readonly MeshConfig _config;
    private readonly GrpcChannel _channel;
    private readonly MailboxGrpc.MailboxClient _mailbox;
    private int _round;

    private MeshTarget(string dir, Process process, MeshConfig config, Uri grpc, Uri web, string label)
    {
        Label = label;
        _dir = dir;
        _process = process;
        _config = config;
        Web = web;
        var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        trust.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(Path.Combine(config.InternalGrpc.Security.CertDir, "ca.crt")));
        _channel = GrpcChannel.ForAddress(grpc, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { SslOptions = { CertificateChainPolicy = trust }, EnableMultipleHttp2Connections = true },
        });
        _mailbox = new MailboxGrpc.MailboxClient(_channel);
        Grpc = grpc;
    }

    public Uri Web { get; }

    /// <summary>How the results name this hub (its store).</summary>
    public string Label { get; }

    /// <summary>The hub's CPU time, plus the database server's when it has one (PostgreSQL's backends do the store's work).</summary>
    public Func<TimeSpan>? ExtraCpu { get; init; }

    public TimeSpan Cpu()
    {
        _process.Refresh();
        return _process.TotalProcessorTime + (ExtraCpu?.Invoke() ?? TimeSpan.Zero);
    }

    public static async Task<MeshTarget> StartAsync(string repositoryRoot, string extraToml = "", IReadOnlyDictionary<string, string>? environment = null,
        string label = "Mesh hub (gRPC, SQLite group commit)", Func<TimeSpan>? extraCpu = null)
    {
        var configuration = typeof(MeshTarget).Assembly.Location.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var meshDll = Path.Combine(repositoryRoot, "src", "Mesh", "bin", configuration, "net10.0", "mesh.dll");
        var dir = Directory.CreateTempSubdirectory("mesh-mailbox-bench-").FullName;
        var configPath = Path.Combine(dir, "hub.toml");
        await File.WriteAllTextAsync(configPath, $"""
            [server]
            role = "hub"
            listen = "127.0.0.1:0"
            data_dir = "data"
            [internal_grpc]
            listen = "127.0.0.1:0"
            [internal_grpc.security]
            mode = "tls"
            cert_dir = "certs"
            [admin]
            api_token = "{ApiToken}"
            {extraToml}
            """);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(meshDll);
        info.ArgumentList.Add("run");
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(configPath);
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        string? ready = null;
        while (ready is null)
        {
            var line = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("mesh exited before it was ready");
            if (line.StartsWith("mesh hub ready:", StringComparison.Ordinal))
                ready = line;
        }

        _ = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is not null)
            {
            }
        });
        var (web, grpc) = HubReadyLine.Parse(ready);
        var config = ConfigLoader.Load(configPath, (environment ?? new Dictionary<string, string>()).ToDictionary(e => e.Key, e => (string?)e.Value));
        return new MeshTarget(dir, process, config, grpc!, web, label) { ExtraCpu = extraCpu };
    }

    /// <summary>The server process, for its CPU time.</summary>
    public Process Server => _process;

    public async Task<RunResult> ThroughputAsync(int messages, int concurrency)
    {
        var (tx, rx) = await ActorsAsync();
        var txToken = Headers(tx);
        var consumer = ConsumeAsync(rx, messages);
        var start = Stopwatch.GetTimestamp();
        var next = -1;
        var producers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int seq;
            while ((seq = Interlocked.Increment(ref next)) < messages)
                await _mailbox.SendAsync(new SendRequest { ToActorId = rx, Payload = Payload.Create(seq) }, new CallOptions(txToken));
        })).ToArray();
        await Task.WhenAll(producers);
        var latencies = await consumer;
        return new RunResult(Label, $"throughput, {concurrency} senders", messages, Stopwatch.GetElapsedTime(start), latencies);
    }

    /// <summary>Like <see cref="ThroughputAsync"/> but each call is a SendBatch of <paramref name="batch"/> messages.</summary>
    public async Task<RunResult> BatchThroughputAsync(int messages, int concurrency, int batch)
    {
        var (tx, rx) = await ActorsAsync();
        var txToken = Headers(tx);
        var consumer = ConsumeAsync(rx, messages);
        var start = Stopwatch.GetTimestamp();
        var next = 0;
        var producers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int first;
            while ((first = Interlocked.Add(ref next, batch) - batch) < messages)
            {
                var request = new SendBatchRequest();
                for (var seq = first; seq < Math.Min(first + batch, messages); seq++)
                    request.Messages.Add(new SendRequest { ToActorId = rx, Payload = Payload.Create(seq) });
                var response = await _mailbox.SendBatchAsync(request, new CallOptions(txToken));
                if (response.Results.Any(r => r.ErrorCode.Length > 0))
                    throw new InvalidOperationException("a batched send failed: " + response.Results.First(r => r.ErrorCode.Length > 0).Error);
            }
        })).ToArray();
        await Task.WhenAll(producers);
        var latencies = await consumer;
        return new RunResult(Label, $"SendBatch of {batch}, {concurrency} senders", messages, Stopwatch.GetElapsedTime(start), latencies);
    }

    public async Task<RunResult> PacedAsync(int ratePerSecond, int seconds)
    {
        var (tx, rx) = await ActorsAsync();
        var txToken = Headers(tx);
        var messages = ratePerSecond * seconds;
        var consumer = ConsumeAsync(rx, messages);
        var start = Stopwatch.GetTimestamp();
        var sends = new List<Task>(messages);
        for (var i = 0; i < messages; i++)
        {
            await Pacer.WaitTurnAsync(start, i, ratePerSecond);
            sends.Add(_mailbox.SendAsync(new SendRequest { ToActorId = rx, Payload = Payload.Create(i) }, new CallOptions(txToken)).ResponseAsync);
        }

        await Task.WhenAll(sends);
        var latencies = await consumer;
        return new RunResult(Label, $"paced {ratePerSecond}/s", messages, Stopwatch.GetElapsedTime(start), latencies);
    }

    private async Task<double[]> ConsumeAsync(string actor, int expected)
    {
        var headers = Headers(actor);
        var latencies = new double[expected];
        var toAck = Channel.CreateUnbounded<ulong>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var acker = Task.Run(async () =>
        {
            var batch = new AckRequest();
            while (await toAck.Reader.WaitToReadAsync())
            {
                batch.MessageIds.Clear();
                while (batch.MessageIds.Count < 1000 && toAck.Reader.TryRead(out var id))
                    batch.MessageIds.Add(id);
                await _mailbox.AckAsync(batch, new CallOptions(headers));
            }
        });
        using var watch = _mailbox.Watch(new WatchRequest(), new CallOptions(headers));
        await watch.ResponseHeadersAsync;
        var count = 0;
        while (count < expected && await watch.ResponseStream.MoveNext(CancellationToken.None))
        {
            var message = watch.ResponseStream.Current;
            latencies[Payload.Parse(message.Payload).Sequence] = Payload.LatencyMs(message.Payload);
            toAck.Writer.TryWrite(message.Id);
            count++;
        }

        toAck.Writer.Complete();
        await acker;
        return latencies;
    }

    /// <summary>Creates actors over the REST API.</summary>
    public async Task CreateActorsAsync(IEnumerable<string> ids)
    {
        using var http = new HttpClient { BaseAddress = Web };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApiToken);
        foreach (var id in ids)
            (await http.PostAsJsonAsync("/api/admin/actors", new { id })).EnsureSuccessStatusCode();
    }

    /// <summary>An actor token's call headers.</summary>
    public Metadata ActorHeaders(string actor) => Headers(actor);

    /// <summary>Root of the hub's cert_dir (for a channel of one's own).</summary>
    public string CaPath => Path.Combine(_config.InternalGrpc.Security.CertDir, "ca.crt");

    public Uri Grpc { get; private set; } = null!;

    private async Task<(string Tx, string Rx)> ActorsAsync()
    {
        _round++;
        var tx = $"tx-{_round}";
        var rx = $"rx-{_round}";
        using var http = new HttpClient { BaseAddress = Web };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApiToken);
        foreach (var id in new[] { tx, rx })
            (await http.PostAsJsonAsync("/api/admin/actors", new { id })).EnsureSuccessStatusCode();
        return (tx, rx);
    }

    private Metadata Headers(string actor)
    {
        var auth = _config.InternalGrpc.Auth;
        var token = new CallTokenIssuer(auth.Issuer, auth.Audience).MintWithRootKey(SharedSecretStore.Load(_config), CallerScope.Actor, actor, TimeSpan.FromHours(1));
        return new Metadata { { "authorization", "Bearer " + token } };
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
