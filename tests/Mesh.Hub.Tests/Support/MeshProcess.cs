using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Mesh.Core.Tests;

namespace Mesh.Hub.Tests.Support;

/// <summary>The real mesh binary as a child process, with its output captured line by line.</summary>
public sealed partial class MeshProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly SemaphoreSlim _lineArrived = new(0);

    private MeshProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Receive(_stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Receive(_stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>mesh.dll from the src/Mesh build output for the configuration these tests were built in.</summary>
    public static string MeshDll { get; } = FindMeshDll();

    public string StandardOutput => string.Join('\n', _stdout);

    public string StandardError => string.Join('\n', _stderr);

    public int Id => _process.Id;

    /// <summary>The log entries printed so far by a process started with --log-format json.</summary>
    public IReadOnlyList<System.Text.Json.JsonElement> JsonLogEntries() =>
        [.. _stdout.Where(l => l.StartsWith('{')).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)];

    /// <param name="openFileLimit">Runs mesh under <c>prlimit --nofile=N:N</c> (util-linux) when set.</param>
    public static MeshProcess Start(IEnumerable<string> args, IDictionary<string, string?>? environment = null, string? workingDirectory = null, int? openFileLimit = null)
    {
        var info = new ProcessStartInfo(openFileLimit is null ? "dotnet" : "prlimit")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryPaths.Root,
        };
        if (openFileLimit is { } limit)
        {
            info.ArgumentList.Add($"--nofile={limit}:{limit}");
            info.ArgumentList.Add("dotnet");
        }

        info.ArgumentList.Add(MeshDll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MESH_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            info.Environment[name] = value;
        return new MeshProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>Runs mesh to completion and returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) => RunWithAsync(args, null);

    /// <summary>Runs mesh to completion with these MESH_ variables (and no others) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunWithAsync(IEnumerable<string> args, IDictionary<string, string?>? environment)
    {
        await using var process = Start(args, environment);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, process.StandardOutput, process.StandardError);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"mesh did not exit within {timeout}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        }

        _process.WaitForExit(); // drains the asynchronous output readers
        return _process.ExitCode;
    }

    /// <summary>Waits for a stdout line starting with <paramref name="prefix"/> and returns it.</summary>
    public Task<string> WaitForLineAsync(string prefix, TimeSpan timeout) =>
        WaitForAsync(l => l.StartsWith(prefix, StringComparison.Ordinal), prefix, timeout);

    /// <summary>Waits for a stdout line containing <paramref name="text"/> and returns it.</summary>
    public Task<string> WaitForTextAsync(string text, TimeSpan timeout) =>
        WaitForAsync(l => l.Contains(text, StringComparison.Ordinal), text, timeout);

    private async Task<string> WaitForAsync(Func<string, bool> match, string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var line = _stdout.FirstOrDefault(match);
            if (line is not null)
                return line;
            if (_process.HasExited && Drained() && !_stdout.Any(match))
                throw new InvalidOperationException($"mesh exited with {_process.ExitCode} before printing '{prefix}'.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"mesh did not print '{prefix}' within {timeout}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
            await _lineArrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Waits for the output readers to reach the end of an exited process's output (lines may still be in flight).</summary>
    private bool Drained()
    {
        _process.WaitForExit();
        return true;
    }

    /// <summary>Sends SIGTERM, as Kubernetes and systemd do.</summary>
    public void Terminate()
    {
        if (!_process.HasExited && Kill(_process.Id, 15) != 0)
            throw new InvalidOperationException($"kill(SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>kill -9 of this process alone (not its children): a node that dies without a word.</summary>
    public async Task KillHardAsync()
    {
        if (!_process.HasExited && Kill(_process.Id, 9) != 0)
            throw new InvalidOperationException($"kill(SIGKILL) failed: errno {Marshal.GetLastPInvokeError()}");
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _lineArrived.Dispose();
    }

    private void Receive(ConcurrentQueue<string> queue, string? line)
    {
        if (line is null)
            return;
        queue.Enqueue(line);
        _lineArrived.Release();
    }

    private static string FindMeshDll()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(RepositoryPaths.Root, "src", "Mesh", "bin", configuration, "net10.0", "mesh.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"build src/Mesh first: {path} is missing");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
