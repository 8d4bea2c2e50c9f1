using Mesh.Core.Tests;
using Mesh.Core.Protocol;
using Mesh.Node.Agents.Worktrees;

namespace Mesh.Node.Tests.Agents.Worktrees;

/// <summary>create_worktree and reuse_worktree with the real git and real runs: made once per agent, recorded, locked, checked at use.</summary>
public sealed class WorktreeModeTests
{
    internal static AgentSpec Spec(string id, string repo, string reference = "main", string workDir = "")
    {
        var spec = AgentRuntime.Spec(id, "sleep", "600");
        spec.WorkDir = workDir;
        spec.WorkFolder = new AgentWorkFolder { Mode = WorktreeManager.Create, Repo = repo, Ref = reference };
        return spec;
    }

    internal static async Task<CommandResult> AskAsync(AgentRuntime runtime, WorktreeCommand command)
    {
        var result = new CommandResult { Ok = true };
        await runtime.WorktreeCommands.HandleAsync(new NodeCommand { Worktree = command }, result, CancellationToken.None);
        return result;
    }

    [Fact]
    public async Task CreateWorktree_TwentyAgentsOnOneRepoAtOnce_AllStartOnTheirOwnBranches()
    {
        await using var runtime = new AgentRuntime(worktreeRoot: null);
        var repo = GitRepo.Create(Path.Combine(runtime.DataDir, "repo"));
        Directory.CreateDirectory(Path.Combine(runtime.DataDir, "wt"));
        var specs = Enumerable.Range(1, 20).Select(i => Spec($"a{i:00}", repo, workDir: Path.Combine(runtime.DataDir, "wt", $"a{i:00}"))).ToArray();
        runtime.Apply(specs);
        var statuses = await Task.WhenAll(specs.Select(s => runtime.WaitForAsync(s.AgentId, st => st.State is "running" or "backoff" or "exited", TimeSpan.FromSeconds(60))));
        Assert.All(statuses, s => Assert.Equal("running", s.State));
        var worktrees = GitRepo.Run(repo, "worktree", "list", "--porcelain").Split('\n').Count(l => l.StartsWith("worktree ", StringComparison.Ordinal));
        Assert.Equal(21, worktrees);
        var branches = GitRepo.Run(repo, "branch", "--list", "mesh/*").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(20, branches.Length);
        Assert.All(statuses, s => Assert.StartsWith("mesh/" + s.AgentId + "-", s.Worktree.Branch, StringComparison.Ordinal));
        Assert.Equal(20, statuses.Select(s => s.Worktree.Path).Distinct().Count());
        // Each is locked in git for its agent.
        Assert.Contains("locked mesh:a07", GitRepo.Run(repo, "worktree", "list", "--porcelain"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateWorktree_DefaultRoot_DerivesThePathCopiesIgnoredFilesAndRecordsTheBase()
    {
        using var rootDir = new Mesh.Core.Tests.TempDirectory();
        var root = Path.Combine(rootDir.Path, "worktrees"); // made by the node; always allowed, outside safe_paths
        await using var node = new AgentRuntime(worktreeRoot: root);
        var repo = GitRepo.Create(Path.Combine(node.DataDir, "repo"));
        var spec = Spec("dot.agent", repo);
        spec.WorkFolder.CopyFiles.Add(".env");
        node.Apply(spec);
        var status = await node.WaitForAsync("dot.agent", s => s.State == "running", TimeSpan.FromSeconds(30));
        var worktree = status.Worktree;
        Assert.StartsWith(Path.Combine(root, "repo-dot-agent-"), worktree.Path, StringComparison.Ordinal);
        Assert.Matches("^mesh/dot-agent-[0-9a-f]{6}$", worktree.Branch);
        Assert.Equal(GitRepo.Run(repo, "rev-parse", "main"), worktree.BaseCommit);
        Assert.Equal("SECRET=1\n", File.ReadAllText(Path.Combine(worktree.Path, ".env")));
        Assert.Equal(worktree.Path, (await File.ReadAllTextAsync($"/proc/{status.Run.Pid}/cwd/README.md") is not null ? new DirectoryInfo($"/proc/{status.Run.Pid}/cwd").LinkTarget : null));
    }

    [Fact]
    public async Task CreateWorktree_SetupFails_StartFailedNamesSetupWithItsOutput()
    {
        await using var runtime = new AgentRuntime();
        var repo = GitRepo.Create(Path.Combine(runtime.DataDir, "repo"));
        var spec = Spec("setup1", repo, workDir: Path.Combine(runtime.DataDir, "wt1"));
        spec.WorkFolder.SetupCommand.AddRange(["sh", "-c", "echo installing; exit 3"]);
        runtime.Apply(spec);
        var status = await runtime.WaitForAsync("setup1", s => s.Run?.Exit is not null, TimeSpan.FromSeconds(30));
        Assert.Equal("start_failed", status.Run.Exit.Reason);
        Assert.Equal("setup: sh exited with 3", status.Run.Exit.Error);
        Assert.Contains("setup: installing", status.Run.Exit.LastLines);
    }

    [Fact]
    public async Task CreateWorktree_SetupSucceeds_ItsOutputBeginsTheRunsOutputOnceThenTheAgentsOwn()
    {
        await using var runtime = new AgentRuntime();
        var repo = GitRepo.Create(Path.Combine(runtime.DataDir, "repo"));
        var spec = Spec("setup2", repo, workDir: Path.Combine(runtime.DataDir, "wt2"));
        spec.Command.Clear();
        spec.Command.AddRange(["sh", "-c", "echo agent up in $(basename \"$PWD\"); exec sleep 600"]);
        spec.WorkFolder.SetupCommand.AddRange(["sh", "-c", "echo installing; echo 'a warning' >&2; touch made-by-setup"]);
        runtime.Apply(spec);
        var status = await runtime.WaitForAsync("setup2", s => s.State == "running", TimeSpan.FromSeconds(30));
        Assert.True(File.Exists(Path.Combine(runtime.DataDir, "wt2", "made-by-setup")));
        var stdout = Path.Combine(runtime.Options.RunsRoot, status.Run.RunId, "stdout");
        var text = await WaitForTextAsync(stdout, "agent up");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["agent up in wt2", "setup: a warning", "setup: installing"], lines.Order(StringComparer.Ordinal));
        Assert.Equal("agent up in wt2", lines[^1]);

        // A restart does not run setup again, and its output starts with the agent's own.
        var again = spec.Clone();
        again.Revision = 2;
        again.RestartGeneration = 1;
        runtime.Apply(again);
        var restarted = await runtime.WaitForAsync("setup2", s => s.State == "running" && s.Run.RunId != status.Run.RunId, TimeSpan.FromSeconds(30));
        Assert.Equal("agent up in wt2\n", await WaitForTextAsync(Path.Combine(runtime.Options.RunsRoot, restarted.Run.RunId, "stdout"), "agent up"));
    }

    private static async Task<string> WaitForTextAsync(string file, string expected)
    {
        for (var i = 0; i < 300; i++)
        {
            var text = await File.ReadAllTextAsync(file);
            if (text.Contains(expected, StringComparison.Ordinal))
                return text;
            await Task.Delay(100);
        }

        throw new TimeoutException($"'{expected}' never appeared in {file}: {await File.ReadAllTextAsync(file)}");
    }

    [Fact]
    public async Task Start_WorktreeSwappedForASymlinkAfterCreation_RefusedNamingThePath()
    {
        await using var runtime = new AgentRuntime();
        var repo = GitRepo.Create(Path.Combine(runtime.DataDir, "repo"));
        var path = Path.Combine(runtime.DataDir, "swap");
        var spec = Spec("swap", repo, workDir: path);
        runtime.Apply(spec);
        await runtime.WaitForAsync("swap", s => s.State == "running", TimeSpan.FromSeconds(30));
        var stopped = spec.Clone();
        stopped.DesiredState = AgentDesiredState.Stopped;
        stopped.Revision = 2;
        runtime.Apply(stopped);
        await runtime.WaitForAsync("swap", s => s.State == "stopped");
        Directory.Move(path, path + ".moved");
        File.CreateSymbolicLink(path, "/etc");
        var again = spec.Clone();
        again.Revision = 3;
        again.RestartGeneration = 1;
        runtime.Apply(again);
        var status = await runtime.WaitForAsync("swap", s => s.Run?.Exit?.Reason == "start_failed");
        Assert.Equal($"work folder {path} (resolved: /etc) is outside the node's safe_paths", status.Run.Exit.Error);
    }
}
