using System.Diagnostics;
using System.Globalization;
using Mesh.Core.Readiness;

namespace Mesh.ScaleBench;

/// <summary>The real hub binary as a child process; CPU time and resident memory read from /proc.</summary>
internal sealed class HubProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HubProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("mesh hub ready:", StringComparison.Ordinal) == true)
                _ready.TrySetResult(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                Console.Error.WriteLine("hub: " + e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Web { get; private set; } = null!;

    public Uri Grpc { get; private set; } = null!;

    public static async Task<HubProcess> StartAsync(string meshDll, string config, IEnumerable<string> environment)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(meshDll);
        info.ArgumentList.Add("run");
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(config);
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var pair in environment)
            info.Environment[pair[..pair.IndexOf('=', StringComparison.Ordinal)]] = pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..];
        var hub = new HubProcess(Process.Start(info)!);
        var ready = await hub._ready.Task.WaitAsync(TimeSpan.FromSeconds(90));
        var (web, grpc) = HubReadyLine.Parse(ready);
        hub.Web = web;
        hub.Grpc = grpc!;
        return hub;
    }

    /// <summary>User + system CPU time of the hub so far.</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
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
