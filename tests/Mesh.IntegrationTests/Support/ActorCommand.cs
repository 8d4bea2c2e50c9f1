using System.Diagnostics;
using System.Text;
using Mesh.Core.Tests;

namespace Mesh.IntegrationTests.Support;

/// <summary>
/// The real <c>actor</c> binary in root mode against a <see cref="HubUnderTest"/>: <c>--config</c> mints a root token
/// from the hub's shared secret, <c>--target</c> is its internal gRPC listener.
/// </summary>
internal sealed class ActorCommand : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ActorCommand(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string ActorDll { get; } = Find();

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
                return _stdout.ToString();
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
                return _stderr.ToString();
        }
    }

    /// <summary>Starts <c>actor --config … --target … args</c>; dispose kills it if it still runs.</summary>
    public static ActorCommand Start(HubUnderTest hub, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = hub.Directory.Path,
        };
        foreach (var arg in (string[])[ActorDll, "--config", Path.Combine(hub.Directory.Path, "hub.toml"), "--target", hub.GrpcUrl, .. args])
            info.ArgumentList.Add(arg);
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MESH_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(name);
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        process.StandardInput.Close();
        return new ActorCommand(process);
    }

    /// <summary>Runs one command to completion: exit code, stdout, stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(HubUnderTest hub, params string[] args)
    {
        await using var cli = Start(hub, args);
        var code = await cli.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, cli.StandardOutput, cli.StandardError);
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

        _process.WaitForExit(); // drains the asynchronous output readers
        return _process.ExitCode;
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

    private static void Append(StringBuilder target, string? line)
    {
        if (line is null)
            return;
        lock (target)
            target.Append(line).Append('\n');
    }

    private static string Find()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(RepositoryPaths.Root, "src", "ActorCli", "bin", configuration, "net10.0", "actor.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"build src/ActorCli first: {path} is missing");
    }
}
