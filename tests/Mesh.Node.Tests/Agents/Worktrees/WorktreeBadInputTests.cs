using Mesh.Core.Tests;
using Mesh.Core.Protocol;
using Mesh.Node.Agents.Worktrees;

namespace Mesh.Node.Tests.Agents.Worktrees;

/// <summary>The bad input, each refused with a message that names the path or ref, never a stuck or escaped agent.</summary>
public sealed class WorktreeBadInputTests
{
    private static async Task<string> StartErrorAsync(AgentRuntime runtime, AgentSpec spec)
    {
        runtime.Apply(spec);
        var status = await runtime.WaitForAsync(spec.AgentId, s => s.Run?.Exit is not null || s.State == "running", TimeSpan.FromSeconds(30));
        Assert.Equal("start_failed", status.Run.Exit?.Reason);
        return status.Run.Exit!.Error;
    }

    [Fact]
    public async Task CreateWorktree_RepoNotARepository_Refused()
    {
        await using var runtime = new AgentRuntime();
        var plain = Directory.CreateDirectory(Path.Combine(runtime.DataDir, "plain")).FullName;
        var error = await StartErrorAsync(runtime, WorktreeModeTests.Spec("a1", plain, workDir: Path.Combine(runtime.DataDir, "w")));
        Assert.StartsWith($"repo {plain} is not a git repository", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateWorktree_UnknownRef_RefusedNamingIt()
    {
        await using var runtime = new AgentRuntime();
        var repo = GitRepo.Create(Path.Combine(runtime.DataDir, "repo"));
        var error = await StartErrorAsync(runtime, WorktreeModeTests.Spec("a1", repo, "no-such-branch", Path.Combine(runtime.DataDir, "w")));
        Assert.Equal($"ref 'no-such-branch' does not exist in {repo}: give a branch, tag or commit of that repository.", error);
    }

    [Fact]
    public async Task CreateWorktree_PathOutsideSafePathsThroughDotDot_Refused()
    {
        await using var runtime = new AgentRuntime();
        var repo = GitRepo.Create(Path.Combine(runtime.DataDir, "repo"));
        var path = runtime.DataDir + "/../escape-" + Guid.NewGuid().ToString("N")[..6];
        var error = await StartErrorAsync(runtime, WorktreeModeTests.Spec("a1", repo, workDir: path));
        Assert.StartsWith($"worktree path {path} (its folder resolves to ", error, StringComparison.Ordinal);
        Assert.EndsWith("is outside the node's safe_paths.", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(path));
    }

    [Fact]
    public async Task CreateWorktree_PathThroughSymlinkedParent_Refused()
    {
        await using var runtime = new AgentRuntime();
        var repo = GitRepo.Create(Path.Combine(runtime.DataDir, "repo"));
        File.CreateSymbolicLink(Path.Combine(runtime.DataDir, "tmp-link"), "/tmp");
        var error = await StartErrorAsync(runtime, WorktreeModeTests.Spec("a1", repo, workDir: Path.Combine(runtime.DataDir, "tmp-link", "w-" + Guid.NewGuid().ToString("N")[..6])));
        Assert.Contains("(its folder resolves to /tmp) is outside the node's safe_paths", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateWorktree_RepoOutsideSafePaths_Refused()
    {
        using var elsewhere = new Mesh.Core.Tests.TempDirectory();
        await using var runtime = new AgentRuntime();
        var repo = GitRepo.Create(Path.Combine(elsewhere.Path, "repo"));
        var error = await StartErrorAsync(runtime, WorktreeModeTests.Spec("a1", repo, workDir: Path.Combine(runtime.DataDir, "w")));
        Assert.Equal($"repo: folder {repo} is outside the node's safe_paths", error);
    }

    [Fact]
    public async Task CreateWorktree_PathExistsWithForeignContent_RefusedAndUntouched()
    {
        await using var runtime = new AgentRuntime();
        var repo = GitRepo.Create(Path.Combine(runtime.DataDir, "repo"));
        var path = Directory.CreateDirectory(Path.Combine(runtime.DataDir, "taken")).FullName;
        File.WriteAllText(Path.Combine(path, "mine.txt"), "someone's\n");
        var error = await StartErrorAsync(runtime, WorktreeModeTests.Spec("a1", repo, workDir: path));
        Assert.StartsWith($"worktree path {path} already exists; Mesh makes a new folder", error, StringComparison.Ordinal);
        Assert.Equal(["mine.txt"], Directory.GetFileSystemEntries(path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ReuseWorktree_TwoAgentsOnOne_SecondRefusedNamingTheOwner()
    {
        await using var runtime = new AgentRuntime();
        var repo = GitRepo.Create(Path.Combine(runtime.DataDir, "repo"));
        var shared = Path.Combine(runtime.DataDir, "shared");
        GitRepo.Run(repo, "worktree", "add", "-q", "-b", "feature", shared);
        AgentSpec Reuse(string id)
        {
            var spec = AgentRuntime.Spec(id, "sleep", "600");
            spec.WorkDir = shared;
            spec.WorkFolder = new AgentWorkFolder { Mode = WorktreeManager.Reuse };
            return spec;
        }

        runtime.Apply(Reuse("first"));
        var first = await runtime.WaitForAsync("first", s => s.State == "running", TimeSpan.FromSeconds(30));
        Assert.Equal("feature", first.Worktree.Branch);
        Assert.Contains("locked mesh:first", GitRepo.Run(repo, "worktree", "list", "--porcelain"), StringComparison.Ordinal);
        runtime.Apply(Reuse("first"), Reuse("second"));
        var second = await runtime.WaitForAsync("second", s => s.Run?.Exit is not null, TimeSpan.FromSeconds(30));
        Assert.Equal($"worktree {shared} belongs to agent 'first'; a worktree has one agent at a time.", second.Run.Exit.Error);

        // Deleting the agent unlocks a reused worktree and leaves it in place.
        runtime.Apply(Reuse("second"));
        var released = await WorktreeCleanupTests.ReleasedAsync(runtime, "first");
        Assert.Equal("released", released.Outcome);
        Assert.True(Directory.Exists(shared));
    }

    [Fact]
    public async Task CreateWorktree_WorktreesMetadataDeletedByHand_PrunedAndNewWorktreesWork()
    {
        await using var runtime = new AgentRuntime();
        var repo = GitRepo.Create(Path.Combine(runtime.DataDir, "repo"));
        var stale = Path.Combine(runtime.DataDir, "stale");
        GitRepo.Run(repo, "worktree", "add", "-q", "-b", "old", stale);
        Directory.Delete(Path.Combine(repo, ".git", "worktrees"), recursive: true);
        Directory.Delete(stale, recursive: true);
        // A worktree at the same path, on a new branch: prune under the lock, then add.
        runtime.Apply(WorktreeModeTests.Spec("a1", repo, workDir: stale));
        var status = await runtime.WaitForAsync("a1", s => s.State == "running" || s.Run?.Exit is not null, TimeSpan.FromSeconds(30));
        Assert.Equal("running", status.State);
        Assert.Equal(stale, status.Worktree.Path);
    }

    [Fact]
    public async Task Files_DotDotAbsoluteAndSymlinkToShadow_Refused_LargeDiffCapped()
    {
        await using var runtime = new AgentRuntime();
        var repo = GitRepo.Create(Path.Combine(runtime.DataDir, "repo"));
        runtime.Apply(WorktreeModeTests.Spec("a1", repo, workDir: Path.Combine(runtime.DataDir, "w")));
        var worktree = (await runtime.WaitForAsync("a1", s => s.State == "running", TimeSpan.FromSeconds(30))).Worktree;
        File.CreateSymbolicLink(Path.Combine(worktree.Path, "shadow"), "/etc/shadow");

        async Task<CommandResult> Files(string file) =>
            await WorktreeModeTests.AskAsync(runtime, new WorktreeCommand { Action = WorktreeAction.Files, AgentId = "a1", File = file });

        Assert.Equal("'../repo/.env' contains '..'; give a path inside the worktree", (await Files("../repo/.env")).Error);
        Assert.Equal("'/etc/passwd' is an absolute path; give a path relative to the worktree", (await Files("/etc/passwd")).Error);
        Assert.Equal("'shadow' leads outside the worktree (to /etc/shadow); refused", (await Files("shadow")).Error);
        var listing = (await Files("")).Worktree;
        Assert.Contains(listing.Entries, e => e.Name == "README.md" && !e.Dir && e.Size == 6);
        var readme = (await Files("README.md")).Worktree;
        Assert.Equal("hello\n", readme.Content.ToStringUtf8());

        await using (var big = File.Create(Path.Combine(worktree.Path, "big.txt")))
        {
            var line = System.Text.Encoding.ASCII.GetBytes(new string('x', 99) + "\n");
            for (var i = 0; i < 1_000_000; i++)
                big.Write(line);
        }

        var diff = (await WorktreeModeTests.AskAsync(runtime, new WorktreeCommand { Action = WorktreeAction.Diff, AgentId = "a1", File = "big.txt" })).Worktree;
        Assert.True(diff.Truncated);
        Assert.Equal("diff capped at 256 KiB (the file is 100,000,000 bytes)", diff.Note);
        Assert.True(diff.Diff.Length <= 256 * 1024);
        var content = (await Files("big.txt")).Worktree;
        Assert.True(content.Truncated);
        Assert.Equal(256 * 1024, content.Content.Length);
    }
}
