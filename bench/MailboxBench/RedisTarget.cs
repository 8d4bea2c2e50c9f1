using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mesh.MailboxBench;

/// <summary>redis-server (Debian) on a free loopback port, AOF with appendfsync everysec: XADD → XREADGROUP → XACK.</summary>
internal sealed class RedisTarget : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private int _round;

    private RedisTarget(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public static async Task<RedisTarget> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("mesh-redis-bench-").FullName;
        var port = FreePort();
        var info = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", dir,
                     "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--daemonize", "no", "--protected-mode", "yes" })
            info.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed: apt-get install -y redis-server", ex);
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var ping = await RespConnection.ConnectAsync(port);
                if ((string?)await ping.CallAsync("PING") == "PONG")
                    break;
            }
            catch (SocketException) when (attempt < 100)
            {
                await Task.Delay(50);
            }
        }

        return new RedisTarget(process, dir, port);
    }

    /// <summary>The server process, for its CPU time.</summary>
    public Process Server => _process;

    public async Task<RunResult> ThroughputAsync(int messages, int concurrency)
    {
        var stream = await StreamAsync();
        var consumer = ConsumeAsync(stream, messages);
        var start = Stopwatch.GetTimestamp();
        var next = -1;
        var producers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            await using var connection = await RespConnection.ConnectAsync(Port);
            int seq;
            while ((seq = Interlocked.Increment(ref next)) < messages)
                await connection.CallAsync("XADD", stream, "*", "p", Payload.Create(seq));
        })).ToArray();
        await Task.WhenAll(producers);
        var latencies = await consumer;
        return new RunResult("Redis 7 Streams (AOF everysec)", $"throughput, {concurrency} senders", messages, Stopwatch.GetElapsedTime(start), latencies);
    }

    public async Task<RunResult> PacedAsync(int ratePerSecond, int seconds)
    {
        var stream = await StreamAsync();
        var messages = ratePerSecond * seconds;
        var consumer = ConsumeAsync(stream, messages);
        var pool = new List<RespConnection>();
        for (var i = 0; i < 16; i++)
            pool.Add(await RespConnection.ConnectAsync(Port));
        var free = System.Threading.Channels.Channel.CreateUnbounded<RespConnection>();
        foreach (var c in pool)
            free.Writer.TryWrite(c);
        var start = Stopwatch.GetTimestamp();
        var sends = new List<Task>(messages);
        for (var i = 0; i < messages; i++)
        {
            await Pacer.WaitTurnAsync(start, i, ratePerSecond);
            var seq = i;
            sends.Add(Task.Run(async () =>
            {
                var connection = await free.Reader.ReadAsync();
                await connection.CallAsync("XADD", stream, "*", "p", Payload.Create(seq));
                free.Writer.TryWrite(connection);
            }));
        }

        await Task.WhenAll(sends);
        var latencies = await consumer;
        foreach (var c in pool)
            await c.DisposeAsync();
        return new RunResult("Redis 7 Streams (AOF everysec)", $"paced {ratePerSecond}/s", messages, Stopwatch.GetElapsedTime(start), latencies);
    }

    private async Task<string> StreamAsync()
    {
        var stream = $"bench-{++_round}";
        await using var admin = await RespConnection.ConnectAsync(Port);
        await admin.CallAsync("XGROUP", "CREATE", stream, "g", "$", "MKSTREAM");
        return stream;
    }

    private async Task<double[]> ConsumeAsync(string stream, int expected)
    {
        var connection = await RespConnection.ConnectAsync(Port);
        return await Task.Run(async () =>
        {
            await using var _ = connection;
            var latencies = new double[expected];
            var count = 0;
            while (count < expected)
            {
                var reply = await connection.CallAsync("XREADGROUP", "GROUP", "g", "c1", "COUNT", "1000", "BLOCK", "2000", "STREAMS", stream, ">");
                if (reply is not object?[] streams)
                    continue;
                var entries = (object?[])((object?[])streams[0]!)[1]!;
                var ids = new List<string>(entries.Length + 3) { "XACK", stream, "g" };
                foreach (object?[] entry in entries.Cast<object?[]>())
                {
                    var payload = (string)((object?[])entry[1]!)[1]!;
                    latencies[Payload.Parse(payload).Sequence] = Payload.LatencyMs(payload);
                    ids.Add((string)entry[0]!);
                    count++;
                }

                await connection.CallAsync([.. ids]);
            }

            return latencies;
        });
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
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
