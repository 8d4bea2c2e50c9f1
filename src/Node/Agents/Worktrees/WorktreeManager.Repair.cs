using System.Security.Cryptography;
using Mesh.Node.Agents.Processes;

namespace Mesh.Node.Agents.Worktrees;

internal sealed partial class WorktreeManager
{
    /// <summary>
    /// A worktree whose metadata in the repository (<c>.git/worktrees/&lt;name&gt;</c>) was deleted by hand is
    /// registered again rather than left unreadable: git makes a fresh admin folder (an empty <c>--no-checkout</c>
    /// worktree beside it), the worktree's <c>.git</c> file is pointed at it and <c>git worktree repair</c> links it back;
    /// HEAD goes back on its branch (branches live in the repository, so no commit is lost) and the index is rebuilt
    /// from HEAD (files untouched: uncommitted changes stay, as unstaged). The caller holds the repository's lock.
    /// Null when nothing needed doing, else what was done; a <see cref="WorktreeException"/> when it cannot be done.
    /// </summary>
    public async Task<string?> ReRegisterAsync(WorktreeRecord record, CancellationToken cancellationToken)
    {
        var worktree = record.Worktree;
        var dotGit = Path.Combine(worktree.Path, ".git");
        if (!File.Exists(dotGit) || LibC.RealPath(worktree.Path) != worktree.Path)
            return null; // gone, replaced or a main checkout: the start check and the cleanup say so
        var link = (await File.ReadAllTextAsync(dotGit, cancellationToken)).Trim();
        if (!link.StartsWith("gitdir: ", StringComparison.Ordinal))
            throw new WorktreeException($"{dotGit} is not a worktree's .git file (it does not start with 'gitdir: ').");
        if (File.Exists(Path.Combine(link[8..], "HEAD")))
            return null;

        await _git.RunAsync(worktree.Repo, ["worktree", "prune"], cancellationToken);
        var branchHead = worktree.Branch.Length > 0 ? await CommitAsync(worktree.Repo, "refs/heads/" + worktree.Branch, cancellationToken) : null;
        var start = branchHead ?? worktree.BaseCommit;
        // Same folder name, so git names the new admin folder as it named the lost one.
        var scratch = Path.Combine(Path.GetDirectoryName(worktree.Path)!, ".mesh-repair-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        var stand = Path.Combine(scratch, Path.GetFileName(worktree.Path));
        Directory.CreateDirectory(scratch);
        try
        {
            var added = await _git.RunAsync(worktree.Repo, ["worktree", "add", "--no-checkout", "--detach", stand, start], cancellationToken);
            if (!added.Ok)
                throw new WorktreeException($"worktree {worktree.Path}: its metadata in {worktree.Repo} is gone and cannot be made again: {added.Reason}");
            var admin = (await File.ReadAllTextAsync(Path.Combine(stand, ".git"), cancellationToken)).Trim();
            await File.WriteAllTextAsync(dotGit, admin + "\n", cancellationToken);
            var repaired = await _git.RunAsync(worktree.Repo, ["worktree", "repair", worktree.Path], cancellationToken);
            if (!repaired.Ok)
                throw new WorktreeException($"worktree {worktree.Path}: git worktree repair failed: {repaired.Reason}");
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }

        if (branchHead is not null)
            await _git.RunAsync(worktree.Path, ["symbolic-ref", "HEAD", "refs/heads/" + worktree.Branch], cancellationToken);
        var reset = await _git.RunAsync(worktree.Path, ["reset", "--quiet", "--mixed"], cancellationToken);
        if (!reset.Ok)
            throw new WorktreeException($"worktree {worktree.Path}: re-registered, but its index cannot be rebuilt: {reset.Reason}");
        if (record.State == WorktreeRecord.Active)
            await _git.RunAsync(worktree.Repo, ["worktree", "lock", "--reason", "mesh:" + record.AgentId, worktree.Path], cancellationToken);
        var done = branchHead is not null
            ? $"re-registered in {worktree.Repo} on its branch {worktree.Branch}: its metadata there had been deleted"
            : $"re-registered in {worktree.Repo} at its base commit {worktree.BaseCommit}: its metadata there had been deleted"
                + (worktree.Branch.Length > 0 ? $" and its branch {worktree.Branch} is gone" : "; commits of its detached HEAD, if any, are only found by git fsck --lost-found");
        WorktreeLog.ReRegistered(logger, worktree.Path, done);
        return done;
    }
}
