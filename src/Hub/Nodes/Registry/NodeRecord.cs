namespace Mesh.Hub.Nodes.Registry;

/// <summary>Node lifecycle states as shown to operators.</summary>
public enum NodeStatus
{
    /// <summary>Registered by an operator, never joined.</summary>
    Pending,
    Online,
    /// <summary>Connected, but a heartbeat reports a problem or one heartbeat was missed.</summary>
    Degraded,
    Offline,
    /// <summary>Removed: its certificates are on the deny-list.</summary>
    Revoked,
}

/// <summary>One node as the hub's registry knows it.</summary>
public sealed record NodeRecord
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    public string? GrpcTarget { get; init; }
    public string? TlsServerName { get; init; }
    public string? DefaultWorktreeRoot { get; init; }
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public string? Hostname { get; init; }
    public string? Platform { get; init; }
    public string? Arch { get; init; }
    public int CpuCount { get; init; }
    public long MemoryBytes { get; init; }
    public string? Version { get; init; }
    public NodeStatus Status { get; init; } = NodeStatus.Pending;
    public DateTimeOffset? LastHeartbeatAt { get; init; }
    public string? CertificateSerial { get; init; }
    public DateTimeOffset? CertificateExpiresAt { get; init; }
    public DateTimeOffset? EnrolledAt { get; init; }
    public DateTimeOffset? ConnectedSince { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
}
