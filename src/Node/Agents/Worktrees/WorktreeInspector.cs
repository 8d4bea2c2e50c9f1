using System.Globalization;
using Mesh.Core.Protocol;

namespace Mesh.Node.Agents.Worktrees;

/// <summary>A worktree's state and a file's diff against its base, read with git on demand (read-only, no optional locks), capped.</summary>
internal sealed class WorktreeInspector(WorktreeManager manager)
{
    public const int DiffCap = 256 * 1024;
    private const int ChangeCap = 1000;
    private readonly Git _git = Git.Default;

    public async Task<WorktreeState> StateAsync(WorktreeRecord record, CancellationToken cancellationToken)
    {
        var worktree = record.Worktree;
        var state = new WorktreeState
        {
            Worktree = worktree,
            AgentId = record.State == WorktreeRecord.Active ? record.AgentId : "",
            Kept = record.State == WorktreeRecord.Kept ? record.Note : "",
        };
        var head = await _git.RunAsync(worktree.Path, ["rev-parse", "HEAD"], cancellationToken);
        if (!Directory.Exists(worktree.Path) || !head.Ok)
        {
            state.Error = Directory.Exists(worktree.Path)
                ? $"git cannot read it ({head.Reason}); its metadata in the repository may be gone: Mesh registers it again at the agent's next start, or when it is deleted or removed"
                : "the folder is gone";
            return state;
        }

        state.Head = head.Output.Trim();
        var compare = await _git.RunAsync(worktree.Path, ["rev-parse", "--verify", "--quiet", "--end-of-options", worktree.Ref + "^{commit}"], cancellationToken);
        var against = compare.Ok && !worktree.Ref.StartsWith('-') ? compare.Output.Trim() : worktree.BaseCommit;
        var counts = await _git.RunAsync(worktree.Path, ["rev-list", "--left-right", "--count", against + "...HEAD"], cancellationToken);
        if (counts.Ok && counts.Output.Split('\t', ' ') is [var behind, var ahead])
        {
            state.Behind = int.Parse(behind.Trim(), CultureInfo.InvariantCulture);
            state.Ahead = int.Parse(ahead.Trim(), CultureInfo.InvariantCulture);
        }

        var status = await _git.RunAsync(worktree.Path, ["status", "--porcelain=v1", "-z", "--untracked-files=all"], cancellationToken);
        var changes = WorktreeStatus.Parse(status.Output);
        state.Changes.AddRange(changes.Take(ChangeCap));
        state.ChangesTruncated = changes.Count > ChangeCap;
        var loss = await manager.LossAsync(worktree.Path, worktree.BaseCommit, cancellationToken);
        state.Uncommitted = loss.Uncommitted;
        state.Unpushed = loss.Unpushed;
        return state;
    }

    /// <summary>The diff of one file between the base commit and the worktree as it is (committed or not); an untracked file against nothing.</summary>
    public async Task<WorktreeResult> DiffAsync(WorktreeRecord record, string file, CancellationToken cancellationToken)
    {
        var worktree = record.Worktree;
        if (file.Length == 0)
            throw new WorktreeException("give the file to diff, relative to the worktree.");
        if (WorktreeFiles.Check(file) is { } shape)
            throw new WorktreeException(shape);
        // A deleted file cannot be resolved; its folder can.
        var exists = Path.Exists(Path.Combine(worktree.Path, file));
        if ((exists ? WorktreeFiles.Resolve(worktree.Path, file, out var error) : WorktreeFiles.Resolve(worktree.Path, Path.GetDirectoryName(file) ?? "", out error)) is null)
            throw new WorktreeException(error!);
        var pathspec = ":(literal)" + file;
        var tracked = await _git.RunAsync(worktree.Path, ["diff", "--no-color", "--no-ext-diff", "--no-textconv", worktree.BaseCommit, "--", pathspec], DiffCap, cancellationToken);
        var diff = tracked;
        if (tracked.Ok && tracked.Output.Length == 0 && exists)
        {
            var untracked = await _git.RunAsync(worktree.Path, ["ls-files", "--others", "--exclude-standard", "--", pathspec], cancellationToken);
            if (untracked.Output.Trim().Length > 0)
                diff = await _git.RunAsync(worktree.Path, ["diff", "--no-index", "--no-color", "--no-ext-diff", "--no-textconv", "--", "/dev/null", file], DiffCap, cancellationToken);
        }

        if (diff.ExitCode is not 0 and not 1)
            throw new WorktreeException($"git diff {file}: {diff.Reason}");
        var result = new WorktreeResult { Diff = diff.Output, Truncated = diff.Truncated };
        if (diff.Truncated)
        {
            var size = exists ? new FileInfo(Path.Combine(worktree.Path, file)).Length : 0;
            result.Note = $"diff capped at {DiffCap / 1024} KiB" + (size > 0 ? $" (the file is {size:N0} bytes)" : "");
        }
        else if (diff.Output.Length == 0)
        {
            result.Note = "no changes against the base";
        }

        return result;
    }
}
