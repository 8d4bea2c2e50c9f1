using System.Data.Common;
using System.Text.Json;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Nodes.Registry;

/// <summary>Node records and their certificates in the hub's database (SQLite or PostgreSQL).</summary>
internal sealed class NodeStore(IHubDatabase database) : INodeStore
{
    private const string Columns =
        "id, name, grpc_target, tls_server_name, default_worktree_root, capabilities, labels, hostname, platform, arch, " +
        "cpu_count, memory_bytes, version, status, last_heartbeat_at, cert_serial, cert_expires_at, enrolled_at, connected_since, created_at, revoked_at";

    public async Task<NodeRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {Columns} FROM nodes WHERE id = @id").With("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<NodeRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {Columns} FROM nodes ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var nodes = new List<NodeRecord>();
        while (await reader.ReadAsync(cancellationToken))
            nodes.Add(Read(reader));
        return nodes;
    }

    public async Task<bool> TryAddAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Bind(connection.Command(
            $"INSERT INTO nodes ({Columns}) VALUES (@id, @name, @grpc_target, @tls_server_name, @default_worktree_root, @capabilities, @labels, " +
            "@hostname, @platform, @arch, @cpu_count, @memory_bytes, @version, @status, @last_heartbeat_at, @cert_serial, @cert_expires_at, " +
            "@enrolled_at, @connected_since, @created_at, @revoked_at) ON CONFLICT (id) DO NOTHING"), node);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> UpdateAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Bind(connection.Command(
            "UPDATE nodes SET name = @name, grpc_target = @grpc_target, tls_server_name = @tls_server_name, default_worktree_root = @default_worktree_root, " +
            "capabilities = @capabilities, labels = @labels, hostname = @hostname, platform = @platform, arch = @arch, cpu_count = @cpu_count, " +
            "memory_bytes = @memory_bytes, version = @version, status = @status, last_heartbeat_at = @last_heartbeat_at, cert_serial = @cert_serial, " +
            "cert_expires_at = @cert_expires_at, enrolled_at = @enrolled_at, connected_since = @connected_since, created_at = @created_at, " +
            "revoked_at = @revoked_at WHERE id = @id"), node);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task AddCertificateAsync(string nodeId, string serial, DateTimeOffset notAfter, DateTimeOffset issuedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command(
                "INSERT INTO node_certificates (serial, node_id, not_after, issued_at) VALUES (@serial, @node, @not_after, @issued_at)")
            .With("serial", serial).With("node", nodeId).With("not_after", notAfter).With("issued_at", issuedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<(string Serial, DateTimeOffset NotAfter)>> LiveCertificatesAsync(string nodeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("SELECT serial, not_after FROM node_certificates WHERE node_id = @node AND not_after > @now")
            .With("node", nodeId).With("now", now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<(string, DateTimeOffset)>();
        while (await reader.ReadAsync(cancellationToken))
            result.Add((reader.GetString(0), reader.GetTime(1)));
        return result;
    }

    /// <summary>One transaction for the whole flush; on PostgreSQL also one round trip (<see cref="StatementBatch"/>).</summary>
    public async Task UpdateLiveStateAsync(IReadOnlyCollection<NodeLiveUpdate> updates, CancellationToken cancellationToken)
    {
        if (updates.Count == 0)
            return;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new StatementBatch(connection, transaction);
        foreach (var update in updates)
        {
            await batch.AddAsync(
                "UPDATE nodes SET status = @status, last_heartbeat_at = @last_heartbeat_at, connected_since = @connected_since " +
                "WHERE id = @id AND status NOT IN ('revoked', 'pending')",
                [("id", update.Id), ("status", update.Status.ToString().ToLowerInvariant()), ("last_heartbeat_at", update.LastHeartbeatAt), ("connected_since", update.ConnectedSince)],
                cancellationToken);
            if (update.Facts is { } f)
            {
                await batch.AddAsync(
                    "UPDATE nodes SET hostname = @hostname, platform = @platform, arch = @arch, cpu_count = @cpu_count, memory_bytes = @memory_bytes, " +
                    "version = @version, capabilities = @capabilities WHERE id = @id AND status <> 'revoked'",
                    [("id", update.Id), ("hostname", f.Hostname), ("platform", f.Platform), ("arch", f.Arch), ("cpu_count", f.CpuCount),
                        ("memory_bytes", f.MemoryBytes), ("version", f.Version), ("capabilities", JsonSerializer.Serialize(f.Capabilities, NodeStoreJson.Default.IReadOnlyListString))],
                    cancellationToken);
            }
        }

        await batch.ExecuteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<int> MarkAllOfflineAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("UPDATE nodes SET status = 'offline', connected_since = NULL WHERE status IN ('online', 'degraded')");
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbCommand Bind(DbCommand command, NodeRecord node) => command
        .With("id", node.Id).With("name", node.Name).With("grpc_target", node.GrpcTarget).With("tls_server_name", node.TlsServerName)
        .With("default_worktree_root", node.DefaultWorktreeRoot)
        .With("capabilities", JsonSerializer.Serialize(node.Capabilities, NodeStoreJson.Default.IReadOnlyListString))
        .With("labels", JsonSerializer.Serialize(node.Labels, NodeStoreJson.Default.IReadOnlyDictionaryStringString))
        .With("hostname", node.Hostname).With("platform", node.Platform).With("arch", node.Arch)
        .With("cpu_count", node.CpuCount).With("memory_bytes", node.MemoryBytes).With("version", node.Version)
        .With("status", node.Status.ToString().ToLowerInvariant())
        .With("last_heartbeat_at", node.LastHeartbeatAt).With("cert_serial", node.CertificateSerial)
        .With("cert_expires_at", node.CertificateExpiresAt).With("enrolled_at", node.EnrolledAt)
        .With("connected_since", node.ConnectedSince).With("created_at", node.CreatedAt).With("revoked_at", node.RevokedAt);

    private static NodeRecord Read(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        Name = r.GetStringOrNull(1),
        GrpcTarget = r.GetStringOrNull(2),
        TlsServerName = r.GetStringOrNull(3),
        DefaultWorktreeRoot = r.GetStringOrNull(4),
        Capabilities = JsonSerializer.Deserialize(r.GetString(5), NodeStoreJson.Default.ListString) ?? [],
        Labels = JsonSerializer.Deserialize(r.GetString(6), NodeStoreJson.Default.DictionaryStringString) ?? [],
        Hostname = r.GetStringOrNull(7),
        Platform = r.GetStringOrNull(8),
        Arch = r.GetStringOrNull(9),
        CpuCount = r.GetInt32(10),
        MemoryBytes = r.GetInt64(11),
        Version = r.GetStringOrNull(12),
        Status = Enum.Parse<NodeStatus>(r.GetString(13), ignoreCase: true),
        LastHeartbeatAt = r.GetTimeOrNull(14),
        CertificateSerial = r.GetStringOrNull(15),
        CertificateExpiresAt = r.GetTimeOrNull(16),
        EnrolledAt = r.GetTimeOrNull(17),
        ConnectedSince = r.GetTimeOrNull(18),
        CreatedAt = r.GetTime(19),
        RevokedAt = r.GetTimeOrNull(20),
    };
}

/// <summary>The store's JSON columns (capabilities, labels), source-generated for Native AOT.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class NodeStoreJson : System.Text.Json.Serialization.JsonSerializerContext;
