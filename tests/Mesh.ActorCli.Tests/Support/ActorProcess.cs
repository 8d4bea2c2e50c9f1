using System.Diagnostics;
using Mesh.Core.Tests;

namespace Mesh.ActorCli.Tests.Support;

/// <summary>The real actor binary as a child process.</summary>
public sealed class ActorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _stdout = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _stderr = new();

    private ActorProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                _stdout.Enqueue(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                _stderr.Enqueue(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>
    /// The native (AOT) actor binary when MESH_TEST_ACTOR_BINARY names one — test.sh publishes it, so the suite runs
    /// what deployments ship — else the build output's actor.dll under dotnet.
    /// </summary>
    public static string? NativeBinary { get; } = Environment.GetEnvironmentVariable("MESH_TEST_ACTOR_BINARY") is { Length: > 0 } native
        ? File.Exists(native) ? Path.GetFullPath(native) : throw new FileNotFoundException($"MESH_TEST_ACTOR_BINARY names a missing file: {native}")
        : null;

    public static string ActorDll { get; } = NativeBinary ?? Find();

    public IReadOnlyList<string> OutputLines => [.. _stdout];

    public string StandardOutput => string.Join('\n', _stdout);

    public string StandardError => string.Join('\n', _stderr);

    /// <summary>Runs the actor binary to completion.</summary>
    public static async Task<ActorRun> RunAsync(IEnumerable<string> args, IDictionary<string, string?> environment, TimeSpan? timeout = null)
    {
        await using var process = Start(args, environment);
        var code = await process.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(60));
        return new ActorRun(code, process.StandardOutput, process.StandardError);
    }

    public static ActorProcess Start(IEnumerable<string> args, IDictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo(NativeBinary ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        if (NativeBinary is null)
            info.ArgumentList.Add(ActorDll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MESH_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(name);
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start");
        process.StandardInput.Close();
        return new ActorProcess(process);
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
            throw new TimeoutException($"actor did not exit within {timeout}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async Task<string> WaitForOutputLinesAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_stdout.Count < count)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"actor printed {_stdout.Count} of {count} lines.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
            if (_process.HasExited)
                throw new InvalidOperationException($"actor exited with {_process.ExitCode}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
            await Task.Delay(50);
        }

        return StandardOutput;
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

    private static string Find()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(RepositoryPaths.Root, "src", "ActorCli", "bin", configuration, "net10.0", "actor.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"build src/ActorCli first: {path} is missing");
    }
}

/// <summary>One finished run of the actor binary.</summary>
public sealed record ActorRun(int ExitCode, string Stdout, string Stderr)
{
    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Stdout).RootElement;

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>A clock set in the past, to mint expired tokens.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
