using System.Diagnostics;
using Mesh.Node.Agents.Processes;

namespace Mesh.Node.Agents.Worktrees;

/// <summary>The setup command failed: the run is a <c>start_failed</c> with <c>setup: …</c> and the command's last lines.</summary>
internal sealed class WorktreeSetupException(string message, IReadOnlyList<string> lines) : Exception(message)
{
    public IReadOnlyList<string> Lines { get; } = lines;
}

/// <summary>Runs a worktree's setup command (argv, no shell) in the new worktree, with a timeout; keeps its last lines.</summary>
internal static class WorktreeSetup
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(15);
    private const int KeptLines = 20;

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
        try
        {
            await Task.WhenAll(CollectAsync(process.StandardOutput, output, limit.Token), CollectAsync(process.StandardError, output, limit.Token));
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
        lines.AddRange(output.TakeLast(KeptLines).Select(l => "setup: " + l));
    }

    private static List<string> Last(List<string> lines, List<string> output) => [.. lines, .. output.TakeLast(KeptLines).Select(l => "setup: " + l)];

    private static async Task CollectAsync(StreamReader reader, List<string> output, CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lock (output)
            {
                output.Add(line.Length > 1000 ? line[..1000] : line);
                if (output.Count > 200)
                    output.RemoveRange(0, 100);
            }
        }
    }
}
