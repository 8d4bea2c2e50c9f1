using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Mesh.Cli;

/// <summary>
/// mesh agents input and attach: bytes for an agent's running run through the hub's REST API, and a local terminal
/// attached to a tty run — the screen replayed and followed by position (as logs -f), keys sent as typed, the
/// window's size sent at start and on every SIGWINCH, Ctrl-] to detach (the run goes on).
/// </summary>
internal sealed class AgentTerminal(HttpClient http, TextWriter output, TextWriter error, string agentId, string? runId)
{
    private const byte Detach = 0x1d; // Ctrl-]
    private const int MaxWrite = 64 * 1024;
    private readonly string _agentPath = "/api/admin/agents/" + Uri.EscapeDataString(agentId);

    public async Task<int> SendAsync(byte[] data, CancellationToken cancellationToken)
    {
        var (ok, message) = await PostInputAsync(data, cancellationToken);
        if (!ok)
            error.WriteLine("error: " + message);
        return ok ? ExitCodes.Ok : ExitCodes.Failure;
    }

    public async Task<int> SendStreamAsync(Stream input, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxWrite];
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var (ok, message) = await PostInputAsync(buffer[..read], cancellationToken);
            if (!ok)
            {
                error.WriteLine("error: " + message);
                return ExitCodes.Failure;
            }
        }

        return ExitCodes.Ok;
    }

    public async Task<int> AttachAsync(CancellationToken cancellationToken)
    {
        var run = await RunningTtyAsync(cancellationToken);
        if (run is null)
            return ExitCodes.Failure;
        using var raw = RawTerminal.Enter(out var why);
        if (raw is null)
        {
            error.WriteLine($"error: attach needs a terminal ({why}); use 'mesh agents input' and 'mesh agents logs -f' from scripts.");
            return ExitCodes.Usage;
        }

        using var detached = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, signal => ResizeInBackground(run));
        await ResizeAsync(run, cancellationToken);
        await using var stdout = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false), FileAccess.Write, 1);
        var screen = new AgentLogs(http, TextWriter.Null, TextWriter.Null).PrintAsync(agentId, run, "stdout", 0, follow: true, detached.Token, into: stdout);
        var keys = KeysAsync(run, detached.Token);
        var first = await Task.WhenAny(screen, keys);
        await detached.CancelAsync();
        try
        {
            await Task.WhenAll(screen, keys);
        }
        catch (OperationCanceledException)
        {
        }

        raw.Dispose();
        var ended = first == screen;
        output.WriteLine(ended ? $"\r\n[run {run} ended]" : $"\r\n[detached from run {run}; it keeps running]");
        return ExitCodes.Ok;
    }

    private async Task KeysAsync(string run, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (!cancellationToken.IsCancellationRequested)
        {
            // A blocking read on a thread of its own: it cannot be cancelled, and after a detach nothing waits for it.
            var read = await Task.Factory.StartNew(() => RawTerminal.Read(buffer), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            if (read == 0)
                return;
            var end = Array.IndexOf(buffer, Detach, 0, read);
            if (end != 0)
            {
                var (ok, message) = await PostInputAsync(buffer[..(end < 0 ? read : end)], cancellationToken, run);
                if (!ok)
                    await error.WriteAsync($"\r\n[mesh: {message}]\r\n");
            }

            if (end >= 0)
                return;
        }
    }

    private void ResizeInBackground(string run) => Task.Run(() => ResizeAsync(run, CancellationToken.None));

    private async Task ResizeAsync(string run, CancellationToken cancellationToken)
    {
        if (RawTerminal.Size() is not var (cols, rows))
            return; // a terminal that does not know its size: leave the run's as it is
        try
        {
            var size = new { cols = Math.Min(cols, 1000), rows = Math.Min(rows, 1000), run };
            using var response = await http.PostAsJsonAsync(_agentPath + "/resize", size, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            // The next resize or key says whether the hub is back.
        }
    }

    private async Task<string?> RunningTtyAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(_agentPath, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            error.WriteLine($"error: {(int)response.StatusCode} {Detail(body)}");
            return null;
        }

        using var document = JsonDocument.Parse(body);
        var run = document.RootElement.GetProperty("status").GetProperty("run");
        if (run.ValueKind != JsonValueKind.Object || run.GetProperty("ended_at").ValueKind != JsonValueKind.Null)
        {
            error.WriteLine($"error: agent '{agentId}' has no running run.");
            return null;
        }

        if (!run.GetProperty("tty").GetBoolean())
        {
            error.WriteLine($"error: agent '{agentId}' does not run in a terminal (tty = false); use 'mesh agents logs -f' and 'mesh agents input'.");
            return null;
        }

        return run.GetProperty("run_id").GetString();
    }

    private async Task<(bool Ok, string Message)> PostInputAsync(byte[] data, CancellationToken cancellationToken, string? run = null)
    {
        run ??= runId;
        using var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        try
        {
            using var response = await http.PostAsync(_agentPath + "/input" + (run is null ? "" : "?run=" + Uri.EscapeDataString(run)), content, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return response.IsSuccessStatusCode ? (true, "") : (false, $"{(int)response.StatusCode} {Detail(body)}");
        }
        catch (HttpRequestException ex)
        {
            return (false, "cannot reach the hub: " + ex.Message);
        }
    }

    private static string Detail(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? body : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
