using Mesh.Hub.Nodes.Registry;

namespace Mesh.Hub.Nodes;

/// <summary>The REST shape of a node (snake_case through <see cref="AdminJson.Options"/>).</summary>
public static class NodeJson
{
    public static object From(NodeView node)
    {
        var r = node.Record;
        return new
        {
            r.Id,
            r.Name,
            Status = StatusText(r.Status),
            r.GrpcTarget,
            r.TlsServerName,
            r.DefaultWorktreeRoot,
            r.Capabilities,
            r.Labels,
            r.Hostname,
            r.Platform,
            r.Arch,
            r.CpuCount,
            r.MemoryBytes,
            r.Version,
            r.LastHeartbeatAt,
            CertSerial = r.CertificateSerial,
            CertExpiresAt = r.CertificateExpiresAt,
            r.EnrolledAt,
            r.ConnectedSince,
            r.CreatedAt,
            r.RevokedAt,
            node.Connected,
            node.Draining,
            node.RunningAgents,
            MaxAgents = node.MaxAgents == 0 ? (int?)null : node.MaxAgents,
            node.Problems,
            Metrics = node.Metrics is { } m
                ? new
                {
                    m.At,
                    m.CpuUsage,
                    m.MemoryFreeBytes,
                    m.MemoryTotalBytes,
                    m.DiskFreeBytes,
                    m.DiskTotalBytes,
                    m.ProcessCount,
                }
                : null,
            Worktrees = node.Metrics?.Worktrees is { } w
                ? new { w.DefaultRoot, w.Bytes, w.Count, w.Kept, QuotaBytes = w.QuotaBytes > 0 ? w.QuotaBytes : (long?)null, w.MeasuredAt }
                : null,
        };
    }

    public static object Stats(ClusterStats s) => new
    {
        s.Total,
        s.Online,
        s.Degraded,
        s.Offline,
        s.Pending,
        s.Revoked,
        s.Cpus,
        s.MemoryBytes,
    };

    public static string StatusText(NodeStatus status) => status switch
    {
        NodeStatus.Pending => "pending",
        NodeStatus.Online => "online",
        NodeStatus.Degraded => "degraded",
        NodeStatus.Offline => "offline",
        _ => "revoked",
    };
}
