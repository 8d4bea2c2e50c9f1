namespace Mesh.Hub.Agents.Codebases;

/// <summary>A codebase: a name and, per node it is bound to, the repository's path on that node.</summary>
public sealed record Codebase(string Name, IReadOnlyDictionary<string, string> Paths, DateTimeOffset CreatedAt);

/// <summary>What an operator sends to create a codebase: its name and its path on each node.</summary>
public sealed record CodebaseRequest(string? Name = null, IReadOnlyDictionary<string, string>? Nodes = null);

/// <summary>Binds a codebase to one more node (or moves its path there).</summary>
public sealed record CodebaseBindRequest(string? Path = null);
