using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mesh.IntegrationTests.Deploy.Join;

/// <summary>A command line run by sh -c, as an operator pastes it into a terminal; output captured line by line.</summary>
internal sealed class ShellProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ShellProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output => string.Join('\n', _lines);

    public static ShellProcess Start(string commandLine)
    {
        var info = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(commandLine);
        info.Environment["MESH_NODE__LOCAL_LISTEN"] = "127.0.0.1:0"; // several nodes on one machine
        return new ShellProcess(Process.Start(info)!);
    }

    public async Task WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_lines.Any(l => l.StartsWith(prefix, StringComparison.Ordinal)))
        {
            Assert.False(_process.HasExited && _process.WaitForExit(1000), $"exited with {(_process.HasExited ? _process.ExitCode : 0)} before '{prefix}':\n{Output}");
            Assert.True(DateTime.UtcNow < deadline, $"no '{prefix}' within {timeout}:\n{Output}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
