using Mesh.Node.Agents.Processes;

namespace Mesh.Node.Agents.Worktrees;

/// <summary>What removing a worktree would lose.</summary>
internal sealed record WorktreeLoss(int Uncommitted, int Unpushed, string? Error)
{
    public bool Nothing => Error is null && Uncommitted == 0 && Unpushed == 0;

    public string Describe() => Error is not null ? "cannot be read: " + Error
        : $"{Uncommitted} uncommitted file{(Uncommitted == 1 ? "" : "s")}, {Unpushed} unpushed commit{(Unpushed == 1 ? "" : "s")}";
}

internal sealed partial class WorktreeManager
{
    /// <summary>
    /// The agent is gone: its worktree is removed (with its branch) only when it is clean and every commit on it is
    /// reachable from its base or pushed; otherwise it is unlocked and kept, with why. A reused worktree is only unlocked.
    /// </summary>
    public async Task<string> ReleaseAsync(string agentId, CancellationToken cancellationToken)
    {
        if (store.OwnedBy(agentId) is not { } record)
            return "none";
        var worktree = record.Worktree;
        using var held = await locks.AcquireAsync(record.CommonDir, cancellationToken);
        try
        {
            await ReRegisterAsync(record, cancellationToken);
        }
        catch (WorktreeException ex)
        {
            WorktreeLog.Failed(logger, worktree.Path, ex.Message); // what git cannot read is kept, below
        }

        if (worktree.Mode == Reuse)
        {
            await _git.RunAsync(worktree.Repo, ["worktree", "unlock", worktree.Path], cancellationToken);
            return Set(record, WorktreeRecord.Released, "released: not made by Mesh, left in place");
        }

        var loss = await LossAsync(worktree.Path, worktree.BaseCommit, cancellationToken);
        if (loss.Error is not null && !Directory.Exists(worktree.Path))
        {
            await _git.RunAsync(worktree.Repo, ["worktree", "prune"], cancellationToken);
            return Set(record, WorktreeRecord.Removed, "removed: the folder was already gone");
        }

        await _git.RunAsync(worktree.Repo, ["worktree", "unlock", worktree.Path], cancellationToken);
        if (!loss.Nothing)
            return Set(record, WorktreeRecord.Kept, "kept: " + loss.Describe());
        var removed = await RemoveFolderAsync(record, force: false, cancellationToken);
        return removed is null
            ? Set(record, WorktreeRecord.Removed, "removed: clean, every commit reachable from its base or pushed")
            : Set(record, WorktreeRecord.Kept, "kept: " + removed);
    }

    /// <summary>An operator removes a kept worktree; without <paramref name="force"/> only when nothing would be lost.</summary>
    public async Task<string> RemoveAsync(string path, bool force, CancellationToken cancellationToken)
    {
        var record = store.AtPath(path) ?? throw new WorktreeException($"no worktree {path} is known to this node.");
        if (record.State == WorktreeRecord.Active)
            throw new WorktreeException($"worktree {path} belongs to agent '{record.AgentId}'; delete the agent first.");
        using var held = await locks.AcquireAsync(record.CommonDir, cancellationToken);
        await ReRegisterAsync(record, cancellationToken);
        var loss = await LossAsync(path, record.Worktree.BaseCommit, cancellationToken);
        if (!loss.Nothing && !force && Directory.Exists(path))
            throw new WorktreeException($"removing {path} would lose {loss.Describe()}; confirm with force to remove it anyway.");
        var error = await RemoveFolderAsync(record, force, cancellationToken);
        if (error is not null)
            throw new WorktreeException($"cannot remove {path}: {error}");
        WorktreeLog.Removed(logger, path, force);
        return Set(record, WorktreeRecord.Removed, force && !loss.Nothing ? "removed; lost " + loss.Describe() : "removed");
    }

    /// <summary>Uncommitted files (git status, untracked included) and commits not reachable from the base or any remote.</summary>
    public async Task<WorktreeLoss> LossAsync(string path, string baseCommit, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(path))
            return new WorktreeLoss(0, 0, "the folder is gone");
        var status = await _git.RunAsync(path, ["status", "--porcelain=v1", "-z", "--untracked-files=all"], cancellationToken);
        if (!status.Ok)
            return new WorktreeLoss(0, 0, status.Reason);
        var unpushed = await _git.RunAsync(path, ["rev-list", "--count", "HEAD", "^" + baseCommit, "--not", "--remotes"], cancellationToken);
        if (!unpushed.Ok)
            return new WorktreeLoss(0, 0, unpushed.Reason);
        return new WorktreeLoss(WorktreeStatus.Parse(status.Output).Count, int.Parse(unpushed.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture), null);
    }

    /// <summary>git worktree remove (and the branch Mesh made), under the repository's lock held by the caller; an error text or null.</summary>
    private async Task<string?> RemoveFolderAsync(WorktreeRecord record, bool force, CancellationToken cancellationToken)
    {
        var worktree = record.Worktree;
        if (Directory.Exists(worktree.Path) && LibC.RealPath(worktree.Path) != worktree.Path)
            return $"{worktree.Path} now resolves to {LibC.RealPath(worktree.Path)} (replaced after it was made); Mesh will not remove it";
        if (Directory.Exists(worktree.Path))
        {
            string[] remove = force ? ["worktree", "remove", "--force", "--force", worktree.Path] : ["worktree", "remove", worktree.Path];
            var removed = await _git.RunAsync(worktree.Repo, remove, cancellationToken);
            if (!removed.Ok)
                return removed.Reason;
        }

        await _git.RunAsync(worktree.Repo, ["worktree", "prune"], cancellationToken);
        if (worktree.Mode == Create && worktree.Branch.Length > 0)
            await _git.RunAsync(worktree.Repo, ["branch", "-D", worktree.Branch], cancellationToken);
        return null;
    }

    private string Set(WorktreeRecord record, string state, string note)
    {
        store.SetState(record.Worktree.Path, record.AgentId, state, note);
        WorktreeLog.Released(logger, record.Worktree.Path, record.AgentId, note);
        return note;
    }
}
