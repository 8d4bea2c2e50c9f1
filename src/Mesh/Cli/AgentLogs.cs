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

    public async Task<int> PrintAsync(string agentId, string? runId, string stream, long position, bool follow, CancellationToken cancellationToken)
    {
        var agentPath = "/api/admin/agents/" + Uri.EscapeDataString(agentId);
        runId ??= await LatestRunAsync(agentPath, follow, cancellationToken);
        if (runId is null)
            return ExitCodes.Failure;
        await output.FlushAsync(cancellationToken);
        await using var stdout = Console.OpenStandardOutput();
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
                await stdout.WriteAsync(data, cancellationToken);
                await stdout.FlushAsync(cancellationToken);
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

    private static long Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? long.Parse(values.First(), CultureInfo.InvariantCulture) : 0;
}
