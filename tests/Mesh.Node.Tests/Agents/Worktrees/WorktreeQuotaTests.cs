using Mesh.Core.Protocol;
using Mesh.Core.Tests;
using Mesh.Node.Agents.Worktrees;

namespace Mesh.Node.Tests.Agents.Worktrees;

/// <summary>
/// The disk the node's worktrees take (walked at most once per usage_interval, symlinks not followed) as the heartbeat
/// reports it, and the [worktree] quota that refuses a new worktree once it is reached, with a start_failed that says so.
/// </summary>
public sealed class WorktreeQuotaTests
{
    [Fact]
    public async Task QuotaReached_NextWorktreeIsStartFailedNamingTheQuota_HeartbeatReportsUsage()
    {
        using var rootDir = new TempDirectory();
        var root = Path.Combine(rootDir.Path, "worktrees");
        await using var runtime = new AgentRuntime(worktreeRoot: root, worktreeQuota: 1L << 20);
        var repo = GitRepo.Create(Path.Combine(runtime.DataDir, "repo"));
        File.WriteAllBytes(Path.Combine(repo, "data.bin"), new byte[(1 << 20) + 4096]);
        GitRepo.Run(repo, "add", "data.bin");
        GitRepo.Run(repo, "commit", "-qm", "data");

        runtime.Apply(WorktreeModeTests.Spec("first", repo));
        var first = (await runtime.WaitForAsync("first", s => s.State == "running", TimeSpan.FromSeconds(30))).Worktree;
        runtime.Apply(WorktreeModeTests.Spec("first", repo), WorktreeModeTests.Spec("second", repo));
        var second = await runtime.WaitForAsync("second", s => s.Run?.Exit is not null || s.State == "running", TimeSpan.FromSeconds(30));

        var used = WorktreeDiskUsage.Size(first.Path);
        Assert.True(used > (1L << 20) + 4096, used.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("start_failed", second.Run.Exit.Reason);
        Assert.StartsWith($"worktree quota exceeded: this node's 1 worktree(s) take 1 MiB ({used} bytes) of its [worktree] quota of 1 MiB (1048576 bytes); ", second.Run.Exit.Error, StringComparison.Ordinal);
        Assert.EndsWith("remove kept worktrees (node page) or raise the quota.", second.Run.Exit.Error, StringComparison.Ordinal);
        Assert.Single(Directory.GetDirectories(root));

        var beat = runtime.Usage.ToMessage();
        Assert.Equal(root, beat.DefaultRoot);
        Assert.Equal(used, beat.Bytes);
        Assert.Equal(1, beat.Count);
        Assert.Equal(0, beat.Kept);
        Assert.Equal(1L << 20, beat.QuotaBytes);
        Assert.NotNull(beat.MeasuredAt);
    }

    [Fact]
    public async Task Usage_WalksEachWorktreeOncePerInterval_CountsKeptOnes_FollowsNoSymlink()
    {
        await using var runtime = new AgentRuntime();
        var repo = GitRepo.Create(Path.Combine(runtime.DataDir, "repo"));
        runtime.Apply(WorktreeModeTests.Spec("walker", repo, workDir: Path.Combine(runtime.DataDir, "walker")));
        var worktree = (await runtime.WaitForAsync("walker", s => s.State == "running", TimeSpan.FromSeconds(30))).Worktree;
        var big = Directory.CreateDirectory(Path.Combine(runtime.DataDir, "big")).FullName;
        File.WriteAllBytes(Path.Combine(big, "outside.bin"), new byte[50_000]);
        File.CreateSymbolicLink(Path.Combine(worktree.Path, "big-link"), big);
        File.CreateSymbolicLink(Path.Combine(worktree.Path, "file-link"), Path.Combine(big, "outside.bin"));

        var clock = new ManualTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var usage = new WorktreeDiskUsage(runtime.Worktrees.Store, runtime.Options with { WorktreeUsageInterval = TimeSpan.FromMinutes(5) }, clock);
        var before = await usage.RefreshAsync(CancellationToken.None);
        Assert.Equal(WorktreeDiskUsage.Size(worktree.Path), before.Bytes);
        Assert.True(before.Bytes < 50_000, "a symlink's target was counted");
        Assert.Equal(1, before.Count);

        // Within the interval the cached size stands; after it the worktree is walked again.
        File.WriteAllBytes(Path.Combine(worktree.Path, "new.bin"), new byte[10_000]);
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(before.Bytes, (await usage.RefreshAsync(CancellationToken.None)).Bytes);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(before.Bytes + 10_000, (await usage.RefreshAsync(CancellationToken.None)).Bytes);

        // A kept worktree still counts, and is counted as kept.
        runtime.Apply();
        Assert.Equal("kept", (await WorktreeCleanupTests.ReleasedAsync(runtime, "walker")).Outcome);
        var kept = await usage.RefreshAsync(CancellationToken.None);
        Assert.Equal((1, 1, before.Bytes + 10_000), (kept.Count, kept.Kept, kept.Bytes));
    }
}
