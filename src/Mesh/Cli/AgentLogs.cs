using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Mesh.Cli;

/// <summary>
/// mesh agents logs: reads a run's output from the hub by position and writes each byte once, whatever happens to
/// the connection: after an error it asks again from the position it has printed up to.
/// </summary>
internal sealed class AgentLogs(HttpClient http, TextWriter output, TextWriter error)
{
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(200);

    public async Task<int> PrintAsync(string agentId, string? runId, string stream, long position, bool follow, CancellationToken cancellationToken, int? tail = null, Stream? into = null)
    {
        var agentPath = "/api/admin/agents/" + Uri.EscapeDataString(agentId);
        runId ??= await LatestRunAsync(agentPath, follow, cancellationToken);
        if (runId is null)
            return ExitCodes.Failure;
        if (tail is { } lines)
            position = await TailStartAsync($"{agentPath}/runs/{Uri.EscapeDataString(runId)}/output?stream={stream}", lines, cancellationToken);
        await output.FlushAsync(cancellationToken);
        await using var stdout = into is null ? Console.OpenStandardOutput() : Stream.Null;
        var sink = into ?? stdout;
        var failures = 0;
        while (true)
        {
            HttpResponseMessage response;
            try
            {
                response = await http.GetAsync($"{agentPath}/runs/{Uri.EscapeDataString(runId)}/output?stream={stream}&from={position.ToString(CultureInfo.InvariantCulture)}", cancellationToken);
            }
            catch (HttpRequestException ex) when (follow && ++failures < 150)
            {
                error.WriteLine($"mesh: {ex.Message}; retrying from position {position}");
                await Task.Delay(Idle * 5, cancellationToken);
                continue;
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.NotFound && follow)
                {
                    await Task.Delay(Idle, cancellationToken); // no output on the hub yet
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    error.WriteLine($"error: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
                    return ExitCodes.Failure;
                }

                failures = 0;
                var data = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                var start = Header(response, "Mesh-Output-Start");
                if (start > position)
                    error.WriteLine($"mesh: output before position {start} was dropped");
                await sink.WriteAsync(data, cancellationToken);
                await sink.FlushAsync(cancellationToken);
                position = Header(response, "Mesh-Output-End");
                var complete = response.Headers.TryGetValues("Mesh-Output-Complete", out var values) && values.First() == "true";
                if (complete || (!follow && position >= Header(response, "Mesh-Output-Stream-End")))
                    return ExitCodes.Ok;
                if (data.Length == 0)
                    await Task.Delay(Idle, cancellationToken);
            }
        }
    }

    private async Task<string?> LatestRunAsync(string agentPath, bool follow, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var response = await http.GetAsync(agentPath, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                error.WriteLine($"error: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
                return null;
            }

            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var run = document.RootElement.GetProperty("status").GetProperty("run");
            if (run.ValueKind == JsonValueKind.Object)
                return run.GetProperty("run_id").GetString();
            if (!follow)
            {
                error.WriteLine("error: the agent has no run yet.");
                return null;
            }

            await Task.Delay(Idle, cancellationToken);
        }
    }

    /// <summary>The position where the last <paramref name="lines"/> lines of the stream begin (what the hub still has).</summary>
    private async Task<long> TailStartAsync(string outputPath, int lines, CancellationToken cancellationToken)
    {
        long end, dropped;
        using (var probe = await http.GetAsync(outputPath + "&from=0&limit=1", cancellationToken))
        {
            if (!probe.IsSuccessStatusCode)
                return 0; // no output on the hub yet: from the start
            end = Header(probe, "Mesh-Output-Stream-End");
            dropped = Header(probe, "Mesh-Output-Dropped-Before");
        }

        for (long window = 64 * 1024; ; window *= 4)
        {
            var from = Math.Max(dropped, end - window);
            using var response = await http.GetAsync($"{outputPath}&from={from.ToString(CultureInfo.InvariantCulture)}&limit={(end - from).ToString(CultureInfo.InvariantCulture)}", cancellationToken);
            var data = response.IsSuccessStatusCode && end > from ? await response.Content.ReadAsByteArrayAsync(cancellationToken) : [];
            // A final line without a newline counts as a line; the newline that ends the stream does not start one.
            var count = 0;
            for (var i = data.Length - 1; i >= 0; i--)
            {
                if (data[i] != (byte)'\n' || i == data.Length - 1)
                    continue;
                if (++count == lines)
                    return from + i + 1;
            }

            if (from <= dropped || lines == 0)
                return lines == 0 ? end : from;
        }
    }

    private static long Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? long.Parse(values.First(), CultureInfo.InvariantCulture) : 0;
}
