using System.Security.Cryptography;
using Mesh.Core.Protocol;
using Mesh.Node.Agents.Processes;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.Agents.Worktrees;

/// <summary>The work folder a run gets, or why it cannot start; <see cref="Lines"/> is the setup command's last output.</summary>
internal sealed record PrepareResult(string? WorkDir, AgentWorktree? Worktree, string? Error, IReadOnlyList<string> Lines);

/// <summary>A worktree operation refused, with a message that names the path or ref and says what to do.</summary>
internal sealed class WorktreeException(string message) : Exception(message);

/// <summary>
/// Makes and adopts agents' worktrees: <c>create_worktree</c> (a new worktree from a ref, on a branch
/// <c>mesh/&lt;agent&gt;-&lt;short id&gt;</c> or detached), <c>reuse_worktree</c> (an existing one no other agent owns).
/// A worktree is made once per agent and recorded; every git write holds the repository's lock, and a worktree an
/// agent owns is locked in git (<c>mesh:&lt;agent&gt;</c>). Paths are checked against the node's safe paths after
/// resolving symlinks, here and again by the run starter at every start.
/// </summary>
internal sealed partial class WorktreeManager(AgentRuntimeOptions options, WorktreeStore store, RepoLocks locks, WorktreeDiskUsage usage,
    ILogger<WorktreeManager> logger)
{
    public const string UseExisting = "use_existing";
    public const string Create = "create_worktree";
    public const string Reuse = "reuse_worktree";
    private readonly Git _git = Git.Default;

    public static bool Uses(AgentSpec spec) => spec.WorkFolder?.Mode is Create or Reuse;

    public IEnumerable<string> Roots => options.WorktreeRoot is { } root ? [.. options.SafePaths, root] : options.SafePaths;

    public WorktreeStore Store => store;

    /// <summary>The agent's worktree: the one it owns, or a new (or adopted) one; then its copied files and setup, once.</summary>
    public async Task<PrepareResult> PrepareAsync(AgentSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            var lines = new List<string>();
            var existing = store.OwnedBy(spec.AgentId);
            if (existing is not null)
            {
                using (await locks.AcquireAsync(existing.CommonDir, cancellationToken))
                {
                    if (await ReRegisterAsync(existing, cancellationToken) is { } repaired)
                        lines.Add("worktree: " + repaired);
                }
            }

            var owned = existing
                ?? (spec.WorkFolder.Mode == Create ? await CreateAsync(spec, cancellationToken) : await ReuseAsync(spec, cancellationToken));
            if (owned.SetupDone)
                return new PrepareResult(owned.Worktree.Path, owned.Worktree, null, lines);
            CopyFiles(spec.WorkFolder.CopyFiles, owned.Worktree, lines);
            if (spec.WorkFolder.SetupCommand.Count > 0)
                await WorktreeSetup.RunAsync(spec.WorkFolder.SetupCommand, owned.Worktree.Path, lines, cancellationToken);
            store.SetupDone(owned.Worktree.Path, spec.AgentId);
            return new PrepareResult(owned.Worktree.Path, owned.Worktree, null, lines);
        }
        catch (WorktreeSetupException ex)
        {
            return new PrepareResult(null, store.OwnedBy(spec.AgentId)?.Worktree, ex.Message, ex.Lines);
        }
        catch (WorktreeException ex)
        {
            return new PrepareResult(null, null, ex.Message, []);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            return new PrepareResult(null, store.OwnedBy(spec.AgentId)?.Worktree, "worktree: " + ex.Message, []);
        }
    }

    private async Task<WorktreeRecord> CreateAsync(AgentSpec spec, CancellationToken cancellationToken)
    {
        var folder = spec.WorkFolder;
        if (options.WorktreeQuota is { } quota && await usage.RefreshAsync(cancellationToken) is { } used && used.Bytes >= quota)
            throw new WorktreeException($"worktree quota exceeded: this node's {used.Count} worktree(s) take {Bytes(used.Bytes)} of its [worktree] quota of {Bytes(quota)}; "
                + $"remove kept worktrees (node page) or raise the quota.");
        var repo = await RepositoryAsync(folder.Repo, cancellationToken);
        using (await locks.AcquireAsync(repo.CommonDir, cancellationToken))
        {
            await _git.RunAsync(repo.Top, ["worktree", "prune"], cancellationToken); // stale entries (a folder deleted by hand) never block an add
            var baseCommit = await CommitAsync(repo.Top, folder.Ref, cancellationToken)
                ?? throw new WorktreeException($"ref '{folder.Ref}' does not exist in {repo.Top}: give a branch, tag or commit of that repository.");
            var shortId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
            var name = SafeName(spec.AgentId);
            var branch = folder.Detach ? "" : $"mesh/{name}-{shortId}";
            var path = spec.WorkDir.Length > 0 ? spec.WorkDir
                : options.WorktreeRoot is { } root ? Path.Combine(root, $"{SafeName(Path.GetFileName(repo.Top))}-{name}-{shortId}")
                : throw new WorktreeException("create_worktree without work_dir needs the node's [worktree] default_root; set it or give work_dir.");
            CheckNewPath(path, path.StartsWith((options.WorktreeRoot ?? "\0") + "/", StringComparison.Ordinal));
            string[] add = folder.Detach
                ? ["worktree", "add", "--lock", "--reason", "mesh:" + spec.AgentId, "--detach", path, baseCommit]
                : ["worktree", "add", "--lock", "--reason", "mesh:" + spec.AgentId, "-b", branch, path, baseCommit];
            var added = await _git.RunAsync(repo.Top, add, cancellationToken);
            if (!added.Ok)
                throw new WorktreeException($"git worktree add {path} failed: {added.Reason}");
            var worktree = new AgentWorktree
            {
                Path = LibC.RealPath(path) ?? path,
                Repo = repo.Top,
                Branch = branch,
                BaseCommit = baseCommit,
                Ref = folder.Ref,
                Mode = Create,
            };
            var record = new WorktreeRecord(worktree, spec.AgentId, WorktreeRecord.Active, "", false, repo.CommonDir);
            if (!store.TryClaim(record))
                throw new WorktreeException($"worktree {worktree.Path} is already recorded for another agent.");
            WorktreeLog.Created(logger, spec.AgentId, worktree.Path, branch, baseCommit);
            return record;
        }
    }

    private async Task<WorktreeRecord> ReuseAsync(AgentSpec spec, CancellationToken cancellationToken)
    {
        if (spec.WorkDir.Length == 0)
            throw new WorktreeException("reuse_worktree needs work_dir: the path of an existing worktree.");
        var path = StartCheck.WorkDir(spec.WorkDir, Roots, out var error);
        if (error is not null)
            throw new WorktreeException(error);
        var repo = await RepositoryAsync(path, cancellationToken);
        if (repo.Top != path)
            throw new WorktreeException($"{spec.WorkDir} is not the top folder of a worktree (that is {repo.Top}).");
        var gitDir = await _git.RunAsync(path, ["rev-parse", "--path-format=absolute", "--git-dir"], cancellationToken);
        if ((LibC.RealPath(gitDir.Output.Trim()) ?? "") == repo.CommonDir)
            throw new WorktreeException($"{spec.WorkDir} is a repository's main checkout, not a worktree; use use_existing for it.");
        var head = await _git.RunAsync(path, ["rev-parse", "HEAD"], cancellationToken);
        var branch = await _git.RunAsync(path, ["symbolic-ref", "--quiet", "--short", "HEAD"], cancellationToken);
        var worktree = new AgentWorktree
        {
            Path = path,
            Repo = (await MainCheckoutAsync(repo, cancellationToken)) ?? repo.Top,
            Branch = branch.Ok ? branch.Output.Trim() : "",
            BaseCommit = head.Output.Trim(),
            Ref = branch.Ok ? branch.Output.Trim() : head.Output.Trim(),
            Mode = Reuse,
        };
        using (await locks.AcquireAsync(repo.CommonDir, cancellationToken))
        {
            var record = new WorktreeRecord(worktree, spec.AgentId, WorktreeRecord.Active, "", false, repo.CommonDir);
            if (!store.TryClaim(record))
            {
                var other = store.AtPath(path);
                throw new WorktreeException(other is { State: WorktreeRecord.Active }
                    ? $"worktree {path} belongs to agent '{other.AgentId}'; a worktree has one agent at a time."
                    : $"worktree {path} is kept from a deleted agent; remove it first or reuse it once it is released.");
            }

            var locked = await _git.RunAsync(worktree.Repo, ["worktree", "lock", "--reason", "mesh:" + spec.AgentId, path], cancellationToken);
            if (!locked.Ok)
            {
                store.SetState(path, spec.AgentId, WorktreeRecord.Released, "not locked");
                throw new WorktreeException($"cannot lock worktree {path}: {locked.Reason} (is it locked by someone else? git worktree unlock it first).");
            }

            WorktreeLog.Adopted(logger, spec.AgentId, path);
            return record;
        }
    }

    /// <summary>A repository: its top folder (inside the safe paths after resolving symlinks) and its resolved common git folder (the lock's key).</summary>
    public async Task<(string Top, string CommonDir)> RepositoryAsync(string repo, CancellationToken cancellationToken)
    {
        var resolved = StartCheck.WorkDir(repo, Roots, out var error);
        if (error is not null)
            throw new WorktreeException("repo: " + error.Replace("work folder", "folder", StringComparison.Ordinal));
        var top = await _git.RunAsync(resolved, ["rev-parse", "--path-format=absolute", "--show-toplevel", "--git-common-dir"], cancellationToken);
        var lines = top.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (!top.Ok || lines.Length < 2)
            throw new WorktreeException($"repo {repo} is not a git repository (git: {top.Reason}).");
        var topDir = LibC.RealPath(lines[0]) ?? lines[0];
        if (!Roots.Any(r => LibC.RealPath(r) is { } root && StartCheck.IsInside(topDir, root)))
            throw new WorktreeException($"repo {repo}: its top folder {topDir} is outside the node's safe_paths.");
        return (topDir, LibC.RealPath(lines[1]) ?? lines[1]);
    }

    private async Task<string?> MainCheckoutAsync((string Top, string CommonDir) repo, CancellationToken cancellationToken)
    {
        var list = await _git.RunAsync(repo.Top, ["worktree", "list", "--porcelain"], cancellationToken);
        return list.Ok && list.Output.Split('\n').FirstOrDefault() is { } first && first.StartsWith("worktree ", StringComparison.Ordinal) ? first[9..] : null;
    }

    private async Task<string?> CommitAsync(string dir, string reference, CancellationToken cancellationToken)
    {
        if (reference.Length == 0 || reference.StartsWith('-'))
            return null;
        var rev = await _git.RunAsync(dir, ["rev-parse", "--verify", "--quiet", "--end-of-options", reference + "^{commit}"], cancellationToken);
        return rev.Ok ? rev.Output.Trim() : null;
    }

    /// <summary>A new worktree's path: absolute, not there yet (Mesh never writes into a folder it did not make), its parent inside the safe paths.</summary>
    private void CheckNewPath(string path, bool underDefaultRoot)
    {
        if (!Path.IsPathRooted(path))
            throw new WorktreeException($"work_dir '{path}' is not an absolute path.");
        if (Path.Exists(path) || new FileInfo(path).LinkTarget is not null)
            throw new WorktreeException($"worktree path {path} already exists; Mesh makes a new folder for a worktree: choose another path, or use reuse_worktree for an existing worktree.");
        var parent = Path.GetDirectoryName(path)!;
        if (underDefaultRoot)
            Directory.CreateDirectory(parent);
        var resolved = LibC.RealPath(parent)
            ?? throw new WorktreeException($"the folder {parent} for worktree {path} does not exist.");
        if (!Roots.Any(r => LibC.RealPath(r) is { } root && StartCheck.IsInside(resolved, root)))
            throw new WorktreeException(resolved == parent
                ? $"worktree path {path} is outside the node's safe_paths."
                : $"worktree path {path} (its folder resolves to {resolved}) is outside the node's safe_paths.");
    }

    private static string Bytes(long bytes)
    {
        var (unit, size) = bytes >= 1L << 30 ? ("GiB", 1L << 30) : ("MiB", 1L << 20);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (double)size:0.#} {unit} ({bytes} bytes)");
    }

    /// <summary>An agent id or repository name as part of a branch or folder name: [A-Za-z0-9_-] only, so no '..', no shell or ref metacharacters.</summary>
    public static string SafeName(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '-').ToArray();
        var safe = new string(chars).Trim('-');
        return safe.Length == 0 ? "x" : safe.Length > 40 ? safe[..40] : safe;
    }

    private static void CopyFiles(IEnumerable<string> files, AgentWorktree worktree, List<string> lines)
    {
        foreach (var name in files)
        {
            var source = WorktreeFiles.Resolve(worktree.Repo, name, out var error);
            var target = Path.Combine(worktree.Path, name);
            if (error is not null || source is null || !File.Exists(source))
            {
                lines.Add($"copy: {name}: {error ?? "not in " + worktree.Repo}; skipped");
                continue;
            }

            if (Path.Exists(target))
                continue;
            var targetParent = Path.GetDirectoryName(target)!;
            Directory.CreateDirectory(targetParent);
            if (LibC.RealPath(targetParent) is not { } parent || !StartCheck.IsInside(parent, worktree.Path))
            {
                lines.Add($"copy: {name}: its folder leads outside the worktree; skipped");
                continue;
            }

            try
            {
                using var handle = WorktreeFiles.OpenInside(worktree.Repo, source, name);
                using var from = new FileStream(handle, FileAccess.Read);
                // Its mode too: a copied .env stays as private as the original.
                using var to = new FileStream(target, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = File.GetUnixFileMode(handle) });
                from.CopyTo(to);
                lines.Add($"copy: {name}");
            }
            catch (WorktreeException ex)
            {
                lines.Add($"copy: {name}: {ex.Message}; skipped");
            }
        }
    }
}
