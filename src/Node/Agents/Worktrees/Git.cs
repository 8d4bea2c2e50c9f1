using System.Diagnostics;
using System.Text;

namespace Mesh.Node.Agents.Worktrees;

/// <summary>What one git call returned: its exit code, stdout (up to the cap) and stderr.</summary>
internal sealed record GitResult(int ExitCode, string Output, string Error, bool Truncated)
{
    public bool Ok => ExitCode == 0;

    /// <summary>The first line git wrote to stderr, for a message.</summary>
    public string Reason => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"git exited with {ExitCode}";
}

/// <summary>
/// The system git, called with argv (never a shell), with a timeout, no terminal prompts, no optional locks, and none
/// of the repository's hooks or fsmonitor commands: Mesh's own git calls never run code from a repository.
/// </summary>
internal sealed class Git(TimeSpan timeout)
{
    private const int ErrorCap = 64 * 1024;

    public static Git Default { get; } = new(TimeSpan.FromSeconds(60));

    public Task<GitResult> RunAsync(string dir, IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        RunAsync(dir, args, 4 << 20, cancellationToken);

    /// <summary>Runs git in <paramref name="dir"/>; stdout beyond <paramref name="outputCap"/> bytes ends the call (Truncated).</summary>
    public async Task<GitResult> RunAsync(string dir, IReadOnlyList<string> args, int outputCap, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var arg in (string[])["-C", dir, "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", .. args])
            start.ArgumentList.Add(arg);
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_OPTIONAL_LOCKS"] = "0";
        start.Environment["GIT_ASKPASS"] = "/bin/false";
        start.Environment["LC_ALL"] = "C";
        start.Environment.Remove("GIT_DIR");
        start.Environment.Remove("GIT_WORK_TREE");
        start.Environment.Remove("GIT_INDEX_FILE");

        using var process = Process.Start(start) ?? throw new IOException("cannot start git");
        process.StandardInput.Close();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var error = ReadCappedAsync(process.StandardError.BaseStream, ErrorCap, limit.Token);
        var output = ReadCappedAsync(process.StandardOutput.BaseStream, outputCap, limit.Token);
        try
        {
            var (bytes, truncated) = await output;
            if (truncated)
                Kill(process);
            var (errorBytes, _) = await error;
            await process.WaitForExitAsync(limit.Token);
            return new GitResult(truncated ? 0 : process.ExitCode, Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(errorBytes), truncated);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            cancellationToken.ThrowIfCancellationRequested();
            return new GitResult(-1, "", $"git {args[0]} did not finish within {timeout.TotalSeconds:0} s", false);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static async Task<(byte[] Bytes, bool Truncated)> ReadCappedAsync(Stream stream, int cap, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
                return (buffer.ToArray(), false);
            var room = cap - (int)buffer.Length;
            if (read > room)
            {
                buffer.Write(chunk, 0, room);
                return (buffer.ToArray(), true);
            }

            buffer.Write(chunk, 0, read);
        }
    }
}
