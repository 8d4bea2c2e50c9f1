using Mesh.Core.Tests;
using Mesh.Core.Protocol;

namespace Mesh.Node.Tests.Agents.Worktrees;

/// <summary>Deleting an agent never loses work: its worktree is removed only when clean and every commit is reachable from its base or pushed.</summary>
public sealed class WorktreeCleanupTests
{
    [Fact]
    public async Task Delete_CommittedAndUncommittedWork_KeptUnlockedAndSaysWhy_ThenPushedAndCleanIsRemoved()
    {
        await using var runtime = new AgentRuntime();
        var repo = GitRepo.Create(Path.Combine(runtime.DataDir, "repo"));
        var remote = Path.Combine(runtime.DataDir, "remote.git");
        GitRepo.Run(runtime.DataDir, "init", "-q", "--bare", remote);
        GitRepo.Run(repo, "remote", "add", "origin", remote);
        var spec = WorktreeModeTests.Spec("keeper", repo, workDir: Path.Combine(runtime.DataDir, "keeper"));
        runtime.Apply(spec);
        var worktree = (await runtime.WaitForAsync("keeper", s => s.State == "running", TimeSpan.FromSeconds(30))).Worktree;

        File.WriteAllText(Path.Combine(worktree.Path, "README.md"), "hello\nworld\n");
        GitRepo.Run(worktree.Path, "commit", "-qam", "agent work");
        File.WriteAllText(Path.Combine(worktree.Path, "notes.txt"), "draft\n");

        var state = (await WorktreeModeTests.AskAsync(runtime, new WorktreeCommand { Action = WorktreeAction.State, AgentId = "keeper" })).Worktree.State;
        Assert.Equal(1, state.Ahead);
        Assert.Equal(0, state.Behind);
        Assert.Contains(state.Changes, c => c.Path == "notes.txt" && c.Status == "??");
        var diff = (await WorktreeModeTests.AskAsync(runtime, new WorktreeCommand { Action = WorktreeAction.Diff, AgentId = "keeper", File = "README.md" })).Worktree;
        Assert.Contains("+world", diff.Diff, StringComparison.Ordinal);

        runtime.Apply();
        var kept = await ReleasedAsync(runtime, "keeper");
        Assert.Equal("kept", kept.Outcome);
        Assert.Equal("kept: 1 uncommitted file, 1 unpushed commit", kept.Message);
        Assert.True(Directory.Exists(worktree.Path));
        Assert.DoesNotContain("locked", GitRepo.Run(repo, "worktree", "list", "--porcelain"), StringComparison.Ordinal);
        var listed = (await WorktreeModeTests.AskAsync(runtime, new WorktreeCommand { Action = WorktreeAction.List })).Worktree.Worktrees.Single();
        Assert.Equal("kept: 1 uncommitted file, 1 unpushed commit", listed.Kept);

        // An explicit remove without force names what would be lost and removes nothing.
        var refused = await WorktreeModeTests.AskAsync(runtime, new WorktreeCommand { Action = WorktreeAction.Remove, Path = worktree.Path });
        Assert.False(refused.Ok);
        Assert.Equal($"removing {worktree.Path} would lose 1 uncommitted file, 1 unpushed commit; confirm with force to remove it anyway.", refused.Error);
        Assert.True(Directory.Exists(worktree.Path));

        // A second agent whose work is pushed and clean: deleting it removes its worktree and branch.
        var pushed = WorktreeModeTests.Spec("pusher", repo, workDir: Path.Combine(runtime.DataDir, "pusher"));
        runtime.Apply(pushed);
        var other = (await runtime.WaitForAsync("pusher", s => s.State == "running", TimeSpan.FromSeconds(30))).Worktree;
        File.WriteAllText(Path.Combine(other.Path, "done.txt"), "done\n");
        GitRepo.Run(other.Path, "add", "done.txt");
        GitRepo.Run(other.Path, "commit", "-qm", "pushed work");
        GitRepo.Run(other.Path, "push", "-q", "origin", other.Branch);
        runtime.Apply();
        var removed = await ReleasedAsync(runtime, "pusher");
        Assert.Equal("removed", removed.Outcome);
        Assert.False(Directory.Exists(other.Path));
        Assert.DoesNotContain(other.Branch, GitRepo.Run(repo, "branch", "--list"), StringComparison.Ordinal);

        // Forced, the kept one goes too.
        var forced = await WorktreeModeTests.AskAsync(runtime, new WorktreeCommand { Action = WorktreeAction.Remove, Path = worktree.Path, Force = true });
        Assert.True(forced.Ok, forced.Error);
        Assert.False(Directory.Exists(worktree.Path));
    }

    internal static async Task<WorktreeResult> ReleasedAsync(AgentRuntime runtime, string agentId)
    {
        for (var i = 0; i < 300; i++)
        {
            var result = (await WorktreeModeTests.AskAsync(runtime, new WorktreeCommand { Action = WorktreeAction.Release, AgentId = agentId })).Worktree;
            if (result.Outcome != "pending")
                return result;
            await Task.Delay(100);
        }

        throw new TimeoutException($"agent {agentId}'s worktree was not released");
    }
}
