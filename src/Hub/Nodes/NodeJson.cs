using Mesh.Hub.Nodes.Registry;

namespace Mesh.Hub.Nodes;

/// <summary>The REST shape of a node (snake_case, source-generated: <see cref="NodeApiJson"/>).</summary>
public static class NodeJson
{
    public static NodeBody From(NodeView node)
    {
        var r = node.Record;
        return new NodeBody(
            r.Id, r.Name, StatusText(r.Status), r.GrpcTarget, r.TlsServerName, r.DefaultWorktreeRoot, r.Capabilities, r.Labels, r.Hostname, r.Platform, r.Arch,
            r.CpuCount, r.MemoryBytes, r.Version, r.LastHeartbeatAt, r.CertificateSerial, r.CertificateExpiresAt, r.EnrolledAt, r.ConnectedSince, r.CreatedAt,
            r.RevokedAt, node.Connected, node.Draining, node.RunningAgents, node.MaxAgents == 0 ? null : node.MaxAgents, node.Problems,
            node.Metrics is { } m ? new NodeMetricsBody(m.At, m.CpuUsage, m.MemoryFreeBytes, m.MemoryTotalBytes, m.DiskFreeBytes, m.DiskTotalBytes, m.ProcessCount) : null,
            node.Metrics?.Worktrees is { } w ? new NodeWorktreesBody(w.DefaultRoot, w.Bytes, w.Count, w.Kept, w.QuotaBytes > 0 ? w.QuotaBytes : null, w.MeasuredAt) : null);
    }

    /// <summary>The cluster's aggregates as the REST API and the stream show them (the record's own fields).</summary>
    public static ClusterStats Stats(ClusterStats s) => s;

    public static string StatusText(NodeStatus status) => status switch
    {
        NodeStatus.Pending => "pending",
        NodeStatus.Online => "online",
        NodeStatus.Degraded => "degraded",
        NodeStatus.Offline => "offline",
        _ => "revoked",
    };
}

/// <summary>A node as the REST API shows it.</summary>
public sealed record NodeBody(
    string Id, string? Name, string Status, string? GrpcTarget, string? TlsServerName, string? DefaultWorktreeRoot, IReadOnlyList<string> Capabilities,
    IReadOnlyDictionary<string, string> Labels, string? Hostname, string? Platform, string? Arch, int CpuCount, long MemoryBytes, string? Version,
    DateTimeOffset? LastHeartbeatAt, string? CertSerial, DateTimeOffset? CertExpiresAt, DateTimeOffset? EnrolledAt, DateTimeOffset? ConnectedSince,
    DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, bool Connected, bool Draining, int RunningAgents, int? MaxAgents, IReadOnlyList<string> Problems,
    NodeMetricsBody? Metrics, NodeWorktreesBody? Worktrees);

public sealed record NodeMetricsBody(DateTimeOffset At, double CpuUsage, long MemoryFreeBytes, long MemoryTotalBytes, long DiskFreeBytes, long DiskTotalBytes, int ProcessCount);

public sealed record NodeWorktreesBody(string? DefaultRoot, long Bytes, int Count, int Kept, long? QuotaBytes, DateTimeOffset? MeasuredAt);

public sealed record NodeList(ClusterStats Stats, IEnumerable<NodeBody> Nodes);

public sealed record NodeHealthBody(string NodeId, string Status, Sessions.SessionProbe Session, Sessions.GrpcProbe? Grpc, bool Ok);

public sealed record NodeDrainBody(string Id, bool Draining);

public sealed record BestNodeBody(NodeBody Node, int Candidates);

/// <summary>The nodes' REST shapes (snake_case, as AdminJson), source-generated for Native AOT.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(NodeBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(NodeList))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ClusterStats))]
[System.Text.Json.Serialization.JsonSerializable(typeof(NodeHealthBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(NodeDrainBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(BestNodeBody))]
public sealed partial class NodeApiJson : System.Text.Json.Serialization.JsonSerializerContext;
