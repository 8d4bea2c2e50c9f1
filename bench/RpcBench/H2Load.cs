using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Mesh.Bench.Rpc;

/// <summary>Runs nghttp2's h2load and reads requests/s and the success count from its report.</summary>
internal static partial class H2Load
{
    public const string Executable = "/usr/bin/h2load";

    public sealed record Result(double RequestsPerSecond, long Succeeded, long Total, long Status2xx, string Raw);

    public static async Task<Result> RunAsync(string url, string bodyFile, int requests, int clients, int streams, IEnumerable<string> headers)
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-n", requests.ToString(CultureInfo.InvariantCulture), "-c", clients.ToString(CultureInfo.InvariantCulture), "-m", streams.ToString(CultureInfo.InvariantCulture), "-t", "1", "-d", bodyFile })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var header in headers)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add(header);
        }

        start.ArgumentList.Add(url);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start h2load");
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var rps = FinishedRegex().Match(output);
        var done = RequestsRegex().Match(output);
        var status = StatusRegex().Match(output);
        if (!rps.Success || !done.Success || !status.Success)
        {
            throw new InvalidOperationException("Unexpected h2load output:\n" + output + error);
        }

        return new Result(
            double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture),
            long.Parse(done.Groups[2].Value, CultureInfo.InvariantCulture),
            long.Parse(done.Groups[1].Value, CultureInfo.InvariantCulture),
            long.Parse(status.Groups[1].Value, CultureInfo.InvariantCulture),
            output);
    }

    [GeneratedRegex(@"finished in [\d.]+m?s, ([\d.]+) req/s")]
    private static partial Regex FinishedRegex();

    [GeneratedRegex(@"requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded")]
    private static partial Regex RequestsRegex();

    [GeneratedRegex(@"status codes: (\d+) 2xx")]
    private static partial Regex StatusRegex();
}
