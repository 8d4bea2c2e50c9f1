using System.Diagnostics;
using System.Globalization;

namespace Mesh.Bench;

/// <summary>The real mesh binary as a child process of a benchmark (shared by the benches that start hubs and nodes).</summary>
internal static class MeshChild
{
    /// <summary>Starts `dotnet DLL ARGS` with stdout redirected (read it with <see cref="WaitForLineAsync"/>) and stderr discarded.</summary>
    public static Process Start(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs `dotnet DLL ARGS` to its end; its stdout, trimmed.</summary>
    public static async Task<string> RunTextAsync(string dll, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return text.Trim();
    }

    /// <summary>The first stdout line starting with <paramref name="prefix"/>; the rest of stdout is drained.</summary>
    public static async Task<string> WaitForLineAsync(Process process, string prefix)
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                _ = process.StandardOutput.ReadToEndAsync();
                return line;
            }
        }

        throw new InvalidOperationException($"the process ended before '{prefix}'");
    }

    /// <summary>User + system CPU seconds of a process so far (/proc/PID/stat).</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}
