using Mesh.Core.Protocol;
using Mesh.Core.Tests;

namespace Mesh.Node.Tests.Agents.Worktrees;

/// <summary>
/// A repository whose <c>.git/worktrees</c> metadata was deleted by hand while an agent's worktree still holds work:
/// the worktree is registered again (real git), never stuck and never losing the branch's commits or its files.
/// </summary>
public sealed class WorktreeRepairTests
{
    [Fact]
    public async Task MetadataDeletedByHand_NextStartReRegistersOnItsBranch_LockedWithWorkIntact()
    {
        await using var runtime = new AgentRuntime();
        var repo = GitRepo.Create(Path.Combine(runtime.DataDir, "repo"));
        var spec = WorktreeModeTests.Spec("fixer", repo, workDir: Path.Combine(runtime.DataDir, "fixer"));
        runtime.Apply(spec);
        var first = await runtime.WaitForAsync("fixer", s => s.State == "running", TimeSpan.FromSeconds(30));
        var worktree = first.Worktree;
        File.WriteAllText(Path.Combine(worktree.Path, "README.md"), "hello\ncommitted\n");
        GitRepo.Run(worktree.Path, "commit", "-qam", "agent work");
        var head = GitRepo.Run(worktree.Path, "rev-parse", "HEAD");
        File.AppendAllText(Path.Combine(worktree.Path, "README.md"), "uncommitted\n");
        File.WriteAllText(Path.Combine(worktree.Path, "notes.txt"), "draft\n");

        Directory.Delete(Path.Combine(repo, ".git", "worktrees"), recursive: true);
        Assert.Throws<InvalidOperationException>(() => GitRepo.Run(worktree.Path, "status"));
        var broken = (await WorktreeModeTests.AskAsync(runtime, new WorktreeCommand { Action = WorktreeAction.State, AgentId = "fixer" })).Worktree.State;
        Assert.StartsWith("git cannot read it", broken.Error, StringComparison.Ordinal);

        // A restart prepares the worktree again: it is registered again before the run starts.
        var restarted = spec.Clone();
        restarted.Revision = 2;
        restarted.RestartGeneration = 1;
        runtime.Apply(restarted);
        await runtime.WaitForAsync("fixer", s => s.State == "running" && s.Run.RunId != first.Run.RunId, TimeSpan.FromSeconds(30));

        Assert.Equal(worktree.Branch, GitRepo.Run(worktree.Path, "symbolic-ref", "--short", "HEAD"));
        Assert.Equal(head, GitRepo.Run(worktree.Path, "rev-parse", "HEAD"));
        Assert.Equal("hello\ncommitted\nuncommitted\n", File.ReadAllText(Path.Combine(worktree.Path, "README.md")));
        var status = GitRepo.Run(worktree.Path, "status", "--porcelain=v1", "--untracked-files=all").Split('\n');
        Assert.Equal(["M README.md", "?? notes.txt"], status); // " M": modified, not staged (the first blank trimmed by GitRepo.Run)
        var list = GitRepo.Run(repo, "worktree", "list", "--porcelain");
        Assert.Contains($"worktree {worktree.Path}\nHEAD {head}\nbranch refs/heads/{worktree.Branch}\nlocked mesh:fixer", list, StringComparison.Ordinal);
        Assert.DoesNotContain(".mesh-repair-", list, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(runtime.DataDir, ".mesh-repair-*"));

        var state = (await WorktreeModeTests.AskAsync(runtime, new WorktreeCommand { Action = WorktreeAction.State, AgentId = "fixer" })).Worktree.State;
        Assert.Equal("", state.Error);
        Assert.Equal(1, state.Ahead);
        Assert.Equal(2, state.Uncommitted);
    }

    [Fact]
    public async Task MetadataDeletedByHand_DeleteReRegistersThenKeepsItNamingTheWork()
    {
        await using var runtime = new AgentRuntime();
        var repo = GitRepo.Create(Path.Combine(runtime.DataDir, "repo"));
        runtime.Apply(WorktreeModeTests.Spec("gone", repo, workDir: Path.Combine(runtime.DataDir, "gone")));
        var worktree = (await runtime.WaitForAsync("gone", s => s.State == "running", TimeSpan.FromSeconds(30))).Worktree;
        File.WriteAllText(Path.Combine(worktree.Path, "README.md"), "hello\nmore\n");
        GitRepo.Run(worktree.Path, "commit", "-qam", "agent work");
        Directory.Delete(Path.Combine(repo, ".git", "worktrees"), recursive: true);

        runtime.Apply();
        var kept = await WorktreeCleanupTests.ReleasedAsync(runtime, "gone");
        Assert.Equal("kept", kept.Outcome);
        Assert.Equal("kept: 0 uncommitted files, 1 unpushed commit", kept.Message);
        Assert.Equal(worktree.Branch, GitRepo.Run(worktree.Path, "symbolic-ref", "--short", "HEAD"));
        Assert.Contains($"worktree {worktree.Path}\n", GitRepo.Run(repo, "worktree", "list", "--porcelain"), StringComparison.Ordinal);

        // And the operator's forced removal works on it like on any other.
        var removed = await WorktreeModeTests.AskAsync(runtime, new WorktreeCommand { Action = WorktreeAction.Remove, Path = worktree.Path, Force = true });
        Assert.True(removed.Ok, removed.Error);
        Assert.Equal("removed; lost 0 uncommitted files, 1 unpushed commit", removed.Worktree.Message);
        Assert.False(Directory.Exists(worktree.Path));
        Assert.Single(GitRepo.Run(repo, "worktree", "list").Split('\n'));
    }
}
