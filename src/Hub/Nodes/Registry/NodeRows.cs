using System.Data.Common;
using System.Text.Json;

namespace Mesh.Hub.Nodes.Registry;

/// <summary>The nodes table's columns and a row as a <see cref="NodeRecord"/>, the same for both backends (only times are read differently).</summary>
internal static class NodeRows
{
    public const string Columns =
        "id, name, grpc_target, tls_server_name, default_worktree_root, capabilities, labels, hostname, platform, arch, " +
        "cpu_count, memory_bytes, version, status, last_heartbeat_at, cert_serial, cert_expires_at, enrolled_at, connected_since, created_at, revoked_at";

    public static NodeRecord Read(DbDataReader r, Func<DbDataReader, int, DateTimeOffset> time) => new()
    {
        Id = r.GetString(0),
        Name = Text(r, 1),
        GrpcTarget = Text(r, 2),
        TlsServerName = Text(r, 3),
        DefaultWorktreeRoot = Text(r, 4),
        Capabilities = JsonSerializer.Deserialize<List<string>>(r.GetString(5)) ?? [],
        Labels = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(6)) ?? [],
        Hostname = Text(r, 7),
        Platform = Text(r, 8),
        Arch = Text(r, 9),
        CpuCount = r.GetInt32(10),
        MemoryBytes = r.GetInt64(11),
        Version = Text(r, 12),
        Status = Enum.Parse<NodeStatus>(r.GetString(13), ignoreCase: true),
        LastHeartbeatAt = Time(r, 14, time),
        CertificateSerial = Text(r, 15),
        CertificateExpiresAt = Time(r, 16, time),
        EnrolledAt = Time(r, 17, time),
        ConnectedSince = Time(r, 18, time),
        CreatedAt = time(r, 19),
        RevokedAt = Time(r, 20, time),
    };

    private static string? Text(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private static DateTimeOffset? Time(DbDataReader r, int ordinal, Func<DbDataReader, int, DateTimeOffset> time) =>
        r.IsDBNull(ordinal) ? null : time(r, ordinal);
}
