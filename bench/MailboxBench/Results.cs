using System.Diagnostics;

namespace Mesh.MailboxBench;

/// <summary>One measured run: messages end to end (sent, received by the watcher/consumer, acked), latencies send→receive.</summary>
internal sealed record RunResult(string System, string Scenario, int Messages, TimeSpan Elapsed, double[] LatenciesMs)
{
    public double PerSecond => Messages / Elapsed.TotalSeconds;

    /// <summary>CPU time the server process (hub or redis-server) used during the run; null when it runs in this process.</summary>
    public TimeSpan? ServerCpu { get; init; }

    /// <summary>Server CPU per message in microseconds: what the run cost the server, whatever else the machine did.</summary>
    public double ServerCpuPerMessageUs => ServerCpu is { } cpu ? cpu.TotalMicroseconds / Messages : double.NaN;

    /// <summary>Runs <paramref name="run"/> and records the CPU time <paramref name="server"/> used meanwhile.</summary>
    public static Task<RunResult> WithServerCpuAsync(Process server, Func<Task<RunResult>> run) =>
        WithServerCpuAsync(() =>
        {
            server.Refresh();
            return server.TotalProcessorTime;
        }, run);

    /// <summary>Runs <paramref name="run"/> and records how far <paramref name="cpu"/> (a server's CPU time) moved meanwhile.</summary>
    public static async Task<RunResult> WithServerCpuAsync(Func<TimeSpan> cpu, Func<Task<RunResult>> run)
    {
        var before = cpu();
        var result = await run();
        return result with { ServerCpu = cpu() - before };
    }

    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0)
            return double.NaN;
        var sorted = LatenciesMs.Order().ToArray();
        var index = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}

/// <summary>Payloads carry their send time so the receiver can measure latency; padded to a realistic size.</summary>
internal static class Payload
{
    public const int Size = 128;

    public static string Create(int sequence) =>
        $"{Stopwatch.GetTimestamp()}|{sequence}|".PadRight(Size, 'x');

    public static (long Sent, int Sequence) Parse(string payload)
    {
        var parts = payload.Split('|', 3);
        return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    public static double LatencyMs(string payload) => Stopwatch.GetElapsedTime(Parse(payload).Sent).TotalMilliseconds;
}

/// <summary>
/// Paces a producer at a fixed rate (for the latency scenario) without spinning: a message whose time has come is
/// sent at once, otherwise the producer sleeps until the next one is due (timer resolution ≈ 1 ms, so at 1,000/s
/// messages may leave in pairs; the average rate is exact). A spinning pacer would hold one of this machine's two
/// cores for the whole run and measure the starvation it causes.
/// </summary>
internal static class Pacer
{
    public static async Task WaitTurnAsync(long start, int index, int ratePerSecond)
    {
        var due = TimeSpan.FromSeconds((double)index / ratePerSecond);
        var left = due - Stopwatch.GetElapsedTime(start);
        if (left > TimeSpan.Zero)
            await Task.Delay(left);
    }
}
