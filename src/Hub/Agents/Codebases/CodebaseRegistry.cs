using Mesh.Core.Configuration;
using System.Collections.Concurrent;
using Mesh.Hub.Nodes.Registry;

namespace Mesh.Hub.Agents.Codebases;

/// <summary>
/// Codebases in memory over <see cref="CodebaseStore"/>, and the rules: a codebase is bound only to nodes the hub
/// knows and has not removed, each with an absolute repository path; an agent that names a codebase is placed only
/// on its nodes (<see cref="AgentPlacement"/>); a codebase that agents name is not deleted, nor unbound from a node
/// where one of its agents' runs is placed, and a node with codebases bound is not removed.
/// </summary>
public sealed class CodebaseRegistry(CodebaseStore store, NodeRegistry nodes, AgentStore agents, TimeProvider time) : IDisposable
{
    private const int MaxPathLength = 4096;
    private readonly ConcurrentDictionary<string, Codebase> _codebases = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _write = new(1, 1);

    public void Dispose() => _write.Dispose();

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        foreach (var codebase in await store.LoadAsync(cancellationToken))
            _codebases[codebase.Name] = codebase;
    }

    public Codebase? Find(string name) => _codebases.GetValueOrDefault(name);

    public IReadOnlyList<Codebase> List() => [.. _codebases.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];

    /// <summary>The codebases bound to <paramref name="nodeId"/>.</summary>
    public IReadOnlyList<Codebase> OnNode(string nodeId) => [.. List().Where(c => c.Paths.ContainsKey(nodeId))];

    public Task<Codebase> CreateAsync(CodebaseRequest request, CancellationToken cancellationToken) => WriteAsync(async () =>
    {
        var name = request.Name ?? throw Invalid("name", "a codebase needs a name: 2-64 characters of [A-Za-z0-9._-].");
        if (!NodeIds.IsValid(name, out var nameError))
            throw Invalid("name", "name: " + nameError);
        if (request.Nodes is not { Count: > 0 })
            throw Invalid("nodes", "bind the codebase to at least one node: {\"nodes\": {\"<node id>\": \"/path/of/the/repository/there\"}}.");
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (node, path) in request.Nodes)
            paths[CheckNode(node)] = CheckPath(node, path);
        var codebase = new Codebase(name, paths, time.GetUtcNow());
        if (_codebases.ContainsKey(name) || !await store.CreateAsync(codebase, cancellationToken))
            throw new AgentException(AgentError.Conflict, $"codebase '{name}' already exists.", "name");
        _codebases[name] = codebase;
        return codebase;
    }, cancellationToken);

    public Task<Codebase> BindNodeAsync(string name, string nodeId, string? path, CancellationToken cancellationToken) => WriteAsync(async () =>
    {
        var codebase = Require(name);
        var node = CheckNode(nodeId);
        var checkedPath = CheckPath(node, path);
        await store.BindAsync(name, node, checkedPath, cancellationToken);
        var bound = codebase with { Paths = new Dictionary<string, string>(codebase.Paths, StringComparer.Ordinal) { [node] = checkedPath } };
        _codebases[name] = bound;
        return bound;
    }, cancellationToken);

    public Task<Codebase> UnbindNodeAsync(string name, string nodeId, CancellationToken cancellationToken) => WriteAsync(async () =>
    {
        var codebase = Require(name);
        if (!codebase.Paths.ContainsKey(nodeId))
            throw new AgentException(AgentError.NotFound, $"codebase '{name}' is not bound to node '{DisplayText.Truncate(nodeId)}'.");
        var placed = agents.OnNode(nodeId).Where(a => (a.ReplicaOf is { } of ? agents.Find(of)?.Codebase : a.Codebase) == name).Select(a => a.Id).ToList();
        if (placed.Count > 0)
            throw new AgentException(AgentError.Conflict, $"runs of codebase '{name}' are placed on node '{nodeId}' ({string.Join(", ", placed.Take(5))}); delete or scale them first.");
        await store.UnbindAsync(name, nodeId, cancellationToken);
        var paths = new Dictionary<string, string>(codebase.Paths, StringComparer.Ordinal);
        paths.Remove(nodeId);
        var unbound = codebase with { Paths = paths };
        _codebases[name] = unbound;
        return unbound;
    }, cancellationToken);

    public Task DeleteAsync(string name, CancellationToken cancellationToken) => WriteAsync(async () =>
    {
        Require(name);
        var users = agents.List().Where(a => a.Codebase == name).Select(a => a.Id).ToList();
        if (users.Count > 0)
            throw new AgentException(AgentError.Conflict, $"agents name codebase '{name}' ({string.Join(", ", users.Take(5))}); delete them first.");
        await store.DeleteAsync(name, cancellationToken);
        _codebases.TryRemove(name, out _);
        return true;
    }, cancellationToken);

    private Codebase Require(string name) =>
        Find(name) ?? throw new AgentException(AgentError.NotFound, $"codebase '{DisplayText.Truncate(name)}' does not exist.");

    private string CheckNode(string nodeId)
    {
        var node = nodes.Get(nodeId)
            ?? throw Invalid("nodes", $"unknown node '{DisplayText.Truncate(nodeId)}': bind the codebase to a registered node.");
        if (node.Status == NodeStatus.Revoked)
            throw Invalid("nodes", $"node '{nodeId}' was removed from the hub: a codebase cannot be bound to a removed node.");
        return node.Id;
    }

    private static string CheckPath(string nodeId, string? path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/' || path.Length > MaxPathLength || path.Any(char.IsControl))
            throw Invalid("nodes", $"node '{nodeId}': the repository path must be an absolute path of at most {MaxPathLength} printable characters; got '{DisplayText.Truncate(path ?? "")}'.");
        return path;
    }

    private static AgentException Invalid(string field, string message) => new(AgentError.InvalidArgument, message, field);

    private async Task<T> WriteAsync<T>(Func<Task<T>> write, CancellationToken cancellationToken)
    {
        await _write.WaitAsync(cancellationToken);
        try
        {
            return await write();
        }
        finally
        {
            _write.Release();
        }
    }
}

/// <summary>A node that codebases are bound to is not removed until they are unbound from it.</summary>
internal sealed class CodebaseNodeRemovalCheck(CodebaseRegistry codebases) : Nodes.INodeRemovalCheck
{
    public string? Refusal(string nodeId)
    {
        var bound = codebases.OnNode(nodeId);
        return bound.Count == 0 ? null
            : $"node '{nodeId}' is bound to codebase(s) {string.Join(", ", bound.Select(c => c.Name))}; unbind it first (DELETE /api/admin/codebases/{bound[0].Name}/nodes/{nodeId}).";
    }
}
