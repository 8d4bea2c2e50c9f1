using System.Diagnostics;

namespace Mesh.MailboxBench;

/// <summary>One measured run: messages end to end (sent, received by the watcher/consumer, acked), latencies send→receive.</summary>
internal sealed record RunResult(string System, string Scenario, int Messages, TimeSpan Elapsed, double[] LatenciesMs)
{
    public double PerSecond => Messages / Elapsed.TotalSeconds;

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

/// <summary>Paces a producer at a fixed rate (for the latency scenario).</summary>
internal static class Pacer
{
    public static async Task WaitTurnAsync(long start, int index, int ratePerSecond)
    {
        var due = TimeSpan.FromSeconds((double)index / ratePerSecond);
        var left = due - Stopwatch.GetElapsedTime(start);
        if (left > TimeSpan.FromMilliseconds(1))
            await Task.Delay(left);
        else
            while (Stopwatch.GetElapsedTime(start) < due)
                Thread.SpinWait(20);
    }
}
