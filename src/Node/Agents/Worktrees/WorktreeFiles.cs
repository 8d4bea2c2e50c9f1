using Mesh.Core.Protocol;
using Mesh.Node.Agents.Processes;

namespace Mesh.Node.Agents.Worktrees;

/// <summary>
/// Read-only access to a worktree's files for the hub: a path relative to the worktree, refused with <c>..</c>, as an
/// absolute path, or when it resolves (symlinks followed) outside the worktree. Listings and contents are capped;
/// binary files are reported as such.
/// </summary>
internal static class WorktreeFiles
{
    public const int ContentCap = 256 * 1024;
    public const int EntryCap = 2000;

    /// <summary>The resolved path of <paramref name="relative"/> inside <paramref name="root"/>, or null with an error.</summary>
    public static string? Resolve(string root, string relative, out string? error)
    {
        error = Check(relative);
        if (error is not null)
            return null;
        var resolvedRoot = LibC.RealPath(root);
        if (resolvedRoot is null)
        {
            error = $"the worktree {root} does not exist";
            return null;
        }

        var full = relative.Length == 0 ? resolvedRoot : Path.Combine(resolvedRoot, relative);
        var resolved = LibC.RealPath(full);
        if (resolved is null)
        {
            error = $"no such file: {relative}";
            return null;
        }

        if (!StartCheck.IsInside(resolved, resolvedRoot))
        {
            error = $"'{relative}' leads outside the worktree (to {resolved}); refused";
            return null;
        }

        return resolved;
    }

    /// <summary>A relative path's shape: not absolute, no '..' part, no NUL.</summary>
    public static string? Check(string relative)
    {
        if (relative.Contains('\0', StringComparison.Ordinal))
            return "a path with NUL is refused";
        if (Path.IsPathRooted(relative) || relative.StartsWith('~'))
            return $"'{relative}' is an absolute path; give a path relative to the worktree";
        if (relative.Split('/').Any(part => part == ".."))
            return $"'{relative}' contains '..'; give a path inside the worktree";
        return null;
    }

    /// <summary>A folder's entries or a file's first bytes.</summary>
    public static WorktreeResult Read(string root, string relative)
    {
        var resolved = Resolve(root, relative, out var error) ?? throw new WorktreeException(error!);
        var result = new WorktreeResult();
        if (Directory.Exists(resolved))
        {
            var entries = new DirectoryInfo(resolved).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
            foreach (var entry in entries.Take(EntryCap))
            {
                result.Entries.Add(new WorktreeEntry
                {
                    Name = entry.Name,
                    Dir = entry is DirectoryInfo,
                    Symlink = entry.LinkTarget is not null,
                    Size = entry is FileInfo file && entry.LinkTarget is null ? file.Length : 0,
                });
            }

            result.Truncated = entries.Count > EntryCap;
            if (result.Truncated)
                result.Note = $"{entries.Count} entries; the first {EntryCap} shown";
            return result;
        }

        using var stream = new FileStream(resolved, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[Math.Min(ContentCap, Math.Max(stream.Length, 0)) is var n and > 0 ? n : 0];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        result.IsFile = true;
        result.Size = stream.Length;
        result.Binary = buffer.AsSpan(0, Math.Min(read, 8000)).Contains((byte)0);
        if (result.Binary)
        {
            result.Note = $"binary file, {stream.Length} bytes";
            return result;
        }

        result.Content = Google.Protobuf.ByteString.CopyFrom(buffer, 0, read);
        result.Truncated = stream.Length > read;
        if (result.Truncated)
            result.Note = $"the first {read} of {stream.Length} bytes";
        return result;
    }
}
