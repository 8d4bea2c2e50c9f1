using Mesh.Core.Protocol;

namespace Mesh.Node.Agents.Worktrees;

/// <summary>Parses <c>git status --porcelain=v1 -z</c>: one entry per changed or untracked file (a rename's source skipped).</summary>
internal static class WorktreeStatus
{
    public static List<WorktreeChange> Parse(string output)
    {
        var changes = new List<WorktreeChange>();
        var parts = output.Split('\0');
        for (var i = 0; i < parts.Length; i++)
        {
            var entry = parts[i];
            if (entry.Length < 4)
                continue;
            var status = entry[..2];
            changes.Add(new WorktreeChange { Status = status, Path = entry[3..] });
            if (status[0] is 'R' or 'C')
                i++; // the rename's or copy's source follows
        }

        return changes;
    }
}
