using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Mesh.IntegrationTests.Interop;

/// <summary>A running Python script: its stdout lines as they come, stderr kept for failure messages; killed on dispose.</summary>
internal sealed class PythonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();
    private readonly Task _pump;

    public PythonProcess(Process process)
    {
        _process = process;
        _pump = PumpAsync();
        _ = Task.Run(async () =>
        {
            string? line;
            while ((line = await _process.StandardError.ReadLineAsync()) is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(line);
                }
            }
        });
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _lines.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No output from the Python process within {timeout}. stderr:\n{Stderr}");
        }
        catch (ChannelClosedException)
        {
            await _process.WaitForExitAsync();
            throw new InvalidOperationException($"The Python process exited ({_process.ExitCode}) without the expected output. stderr:\n{Stderr}");
        }
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var remaining = until - DateTime.UtcNow;
            var line = await ReadLineAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1));
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    /// <summary>Reads JSON lines until the result line (one without "event").</summary>
    public async Task<PythonResult> ReadResultAsync(TimeSpan timeout)
    {
        var events = new List<string>();
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var remaining = until - DateTime.UtcNow;
            var line = await ReadLineAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1));
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                throw new InvalidOperationException($"Unexpected output from Python: {line}\nstderr:\n{Stderr}");
            }

            if (document.RootElement.TryGetProperty("event", out var e))
            {
                events.Add(e.GetString()!);
                continue;
            }

            return new PythonResult(document.RootElement, events, Stderr);
        }
    }

    private async Task PumpAsync()
    {
        string? line;
        while ((line = await _process.StandardOutput.ReadLineAsync()) is not null)
        {
            await _lines.Writer.WriteAsync(line);
        }

        _lines.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await _process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }

            await _pump;
        }
        finally
        {
            _process.Dispose();
        }
    }
}

internal sealed record PythonResult(JsonElement Json, IReadOnlyList<string> Events, string Stderr)
{
    public bool Ok => Json.GetProperty("ok").GetBoolean();

    public string? Code => Json.TryGetProperty("code", out var c) ? c.GetString() : null;

    public string? Details => Json.TryGetProperty("details", out var d) ? d.GetString() : null;

    public string GetString(string name) => Json.GetProperty(name).GetString()!;

    public override string ToString() => Json.GetRawText() + (Stderr.Length > 0 ? "\nstderr:\n" + Stderr : string.Empty);
}
