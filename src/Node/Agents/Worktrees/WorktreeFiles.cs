using Mesh.Core.Protocol;
using Microsoft.Win32.SafeHandles;
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

        // The recorded root is a resolved path; one that resolves elsewhere now was replaced (by a symlink) since.
        if (resolvedRoot != root)
        {
            error = $"{root} now resolves to {resolvedRoot} (replaced after it was made); refused";
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

    /// <summary>
    /// Opens <paramref name="resolved"/> (a path <see cref="Resolve"/> checked) and checks again what was opened: a
    /// symlink swapped in for any part of the path between the check and the open is refused, never followed out of
    /// <paramref name="root"/> (the last part is opened with O_NOFOLLOW; the opened handle's real path, read from
    /// /proc/self/fd, must lie inside the root).
    /// </summary>
    public static SafeFileHandle OpenInside(string root, string resolved, string shown)
    {
        var handle = LibC.OpenNoFollow(resolved, out var error)
            ?? throw new WorktreeException($"'{shown}' cannot be opened ({error}); refused");
        var opened = LibC.OpenedPath(handle);
        if (opened is null || !StartCheck.IsInside(opened, root))
        {
            handle.Dispose();
            throw new WorktreeException($"'{shown}' changed while it was opened and now leads outside (to {opened}); refused");
        }

        return handle;
    }

    /// <summary>A folder's entries or a file's first bytes, read through a handle opened by <see cref="OpenInside"/>.</summary>
    public static WorktreeResult Read(string root, string relative)
    {
        var resolved = Resolve(root, relative, out var error) ?? throw new WorktreeException(error!);
        using var handle = OpenInside(root, resolved, relative);
        var opened = LibC.FdPath(handle);
        var result = new WorktreeResult();
        if (Directory.Exists(opened))
        {
            var entries = new DirectoryInfo(opened).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
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

        using var stream = new FileStream(handle, FileAccess.Read, 1);
        if (!stream.CanSeek)
            throw new WorktreeException($"'{relative}' is not a regular file (a pipe, socket or device); refused");
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
