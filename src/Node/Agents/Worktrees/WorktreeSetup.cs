using System.Diagnostics;
using Mesh.Node.Agents.Processes;

namespace Mesh.Node.Agents.Worktrees;

/// <summary>The setup command failed: the run is a <c>start_failed</c> with <c>setup: …</c> and the command's last lines.</summary>
internal sealed class WorktreeSetupException(string message, IReadOnlyList<string> lines) : Exception(message)
{
    public IReadOnlyList<string> Lines { get; } = lines;
}

/// <summary>
/// Runs a worktree's setup command (argv, no shell) in the new worktree, with a timeout. On success its output (the
/// last <see cref="RunLines"/> lines) goes to the first run's output; on failure the last lines go into the exit record.
/// </summary>
internal static class WorktreeSetup
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(15);
    private const int KeptLines = 20;

    /// <summary>Setup lines kept for the run's output (at most 1,000 characters each, so about 2 MB).</summary>
    public const int RunLines = 2000;

    public static async Task RunAsync(IReadOnlyList<string> command, string worktree, List<string> lines, CancellationToken cancellationToken)
    {
        var path = Environment.GetEnvironmentVariable("PATH");
        if (StartCheck.Command(command, path, worktree) is { } error)
            throw new WorktreeSetupException("setup: " + error, lines);
        var start = new ProcessStartInfo(command[0])
        {
            WorkingDirectory = worktree,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in command.Skip(1))
            start.ArgumentList.Add(arg);
        // As for a run: the node's own environment (which may hold its secrets) is not passed on.
        start.Environment.Clear();
        foreach (var name in (string[])["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "TZ", "TMPDIR"])
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
                start.Environment[name] = value;
        }

        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        using var process = Process.Start(start) ?? throw new WorktreeSetupException("setup: cannot start " + command[0], lines);
        process.StandardInput.Close();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Timeout);
        var output = new List<string>();
        var dropped = 0L;
        try
        {
            var counts = await Task.WhenAll(CollectAsync(process.StandardOutput, output, limit.Token), CollectAsync(process.StandardError, output, limit.Token));
            dropped = counts.Sum();
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new WorktreeSetupException($"setup: {command[0]} did not finish within {Timeout.TotalMinutes:0} minutes", Last(lines, output));
        }

        if (process.ExitCode != 0)
            throw new WorktreeSetupException($"setup: {command[0]} exited with {process.ExitCode}", Last(lines, output));
        if (output.Count > RunLines)
        {
            dropped += output.Count - RunLines;
            output.RemoveRange(0, output.Count - RunLines);
        }

        if (dropped > 0)
            lines.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"setup: … {dropped:N0} earlier lines not kept"));
        lines.AddRange(output.Select(l => "setup: " + l));
    }

    private static List<string> Last(List<string> lines, List<string> output) => [.. lines, .. output.TakeLast(KeptLines).Select(l => "setup: " + l)];

    /// <summary>Reads lines into <paramref name="output"/> (shared by stdout and stderr); returns how many it dropped from the front.</summary>
    private static async Task<long> CollectAsync(StreamReader reader, List<string> output, CancellationToken cancellationToken)
    {
        var dropped = 0L;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lock (output)
            {
                output.Add(line.Length > 1000 ? line[..1000] : line);
                if (output.Count > RunLines + RunLines / 2)
                {
                    output.RemoveRange(0, RunLines / 2);
                    dropped += RunLines / 2;
                }
            }
        }

        return dropped;
    }
}
