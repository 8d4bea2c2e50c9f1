using System.Diagnostics;

namespace Mesh.Core.Tests;

/// <summary>A real git repository for tests: one commit on main (a README and an ignored .env), driven by the system git.</summary>
internal static class GitRepo
{
    public static string Create(string folder)
    {
        Directory.CreateDirectory(folder);
        Run(folder, "init", "-q", "-b", "main");
        File.WriteAllText(Path.Combine(folder, "README.md"), "hello\n");
        File.WriteAllText(Path.Combine(folder, ".gitignore"), ".env\n");
        File.WriteAllText(Path.Combine(folder, ".env"), "SECRET=1\n");
        Run(folder, "add", "README.md", ".gitignore");
        Run(folder, "commit", "-q", "-m", "first");
        return folder;
    }

    public static string Run(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", .. args])
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"git {string.Join(' ', args)}: {error}");
        return output.Trim();
    }
}
