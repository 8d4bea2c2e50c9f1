using System.Text.Json;
using Mesh.Hub.Storage;
using Npgsql;

namespace Mesh.Hub.Nodes.Registry;

internal sealed class PostgresNodeStore(PostgresDatabase database) : INodeStore
{
    public async Task<NodeRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {NodeRows.Columns} FROM nodes WHERE id = @id").With("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<NodeRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {NodeRows.Columns} FROM nodes ORDER BY id COLLATE \"C\"");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var nodes = new List<NodeRecord>();
        while (await reader.ReadAsync(cancellationToken))
            nodes.Add(Read(reader));
        return nodes;
    }

    public async Task<bool> TryAddAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Bind(connection.Command(
            $"INSERT INTO nodes ({NodeRows.Columns}) VALUES (@id, @name, @grpc_target, @tls_server_name, @default_worktree_root, @capabilities, @labels, " +
            "@hostname, @platform, @arch, @cpu_count, @memory_bytes, @version, @status, @last_heartbeat_at, @cert_serial, @cert_expires_at, " +
            "@enrolled_at, @connected_since, @created_at, @revoked_at) ON CONFLICT (id) DO NOTHING"), node);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> UpdateAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
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
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
                "INSERT INTO node_certificates (serial, node_id, not_after, issued_at) VALUES (@serial, @node, @not_after, @issued_at)")
            .With("serial", serial).With("node", nodeId).With("not_after", notAfter).With("issued_at", issuedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<(string Serial, DateTimeOffset NotAfter)>> LiveCertificatesAsync(string nodeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT serial, not_after FROM node_certificates WHERE node_id = @node AND not_after > @now")
            .With("node", nodeId).With("now", now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<(string, DateTimeOffset)>();
        while (await reader.ReadAsync(cancellationToken))
            result.Add((reader.GetString(0), reader.GetTime(1)));
        return result;
    }

    /// <summary>One round trip for the whole flush: a batch of statements in one transaction.</summary>
    public async Task UpdateLiveStateAsync(IReadOnlyCollection<NodeLiveUpdate> updates, CancellationToken cancellationToken)
    {
        if (updates.Count == 0)
            return;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var update in updates)
        {
            var live = new NpgsqlBatchCommand(
                "UPDATE nodes SET status = $2, last_heartbeat_at = $3, connected_since = $4 WHERE id = $1 AND status NOT IN ('revoked', 'pending')");
            live.Parameters.Add(new NpgsqlParameter { Value = update.Id });
            live.Parameters.Add(new NpgsqlParameter { Value = update.Status.ToString().ToLowerInvariant() });
            live.Parameters.Add(new NpgsqlParameter { Value = (object?)update.LastHeartbeatAt?.UtcDateTime ?? DBNull.Value });
            live.Parameters.Add(new NpgsqlParameter { Value = (object?)update.ConnectedSince?.UtcDateTime ?? DBNull.Value });
            batch.BatchCommands.Add(live);
            if (update.Facts is { } f)
            {
                var facts = new NpgsqlBatchCommand(
                    "UPDATE nodes SET hostname = $2, platform = $3, arch = $4, cpu_count = $5, memory_bytes = $6, version = $7, capabilities = $8 " +
                    "WHERE id = $1 AND status <> 'revoked'");
                foreach (var value in new object?[] { update.Id, f.Hostname, f.Platform, f.Arch, f.CpuCount, f.MemoryBytes, f.Version, JsonSerializer.Serialize(f.Capabilities) })
                    facts.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
                batch.BatchCommands.Add(facts);
            }
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<int> MarkAllOfflineAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("UPDATE nodes SET status = 'offline', connected_since = NULL WHERE status IN ('online', 'degraded')");
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlCommand Bind(NpgsqlCommand command, NodeRecord node) => command
        .With("id", node.Id).With("name", node.Name).With("grpc_target", node.GrpcTarget).With("tls_server_name", node.TlsServerName)
        .With("default_worktree_root", node.DefaultWorktreeRoot)
        .With("capabilities", JsonSerializer.Serialize(node.Capabilities))
        .With("labels", JsonSerializer.Serialize(node.Labels))
        .With("hostname", node.Hostname).With("platform", node.Platform).With("arch", node.Arch)
        .With("cpu_count", node.CpuCount).With("memory_bytes", node.MemoryBytes).With("version", node.Version)
        .With("status", node.Status.ToString().ToLowerInvariant())
        .With("last_heartbeat_at", node.LastHeartbeatAt).With("cert_serial", node.CertificateSerial)
        .With("cert_expires_at", node.CertificateExpiresAt).With("enrolled_at", node.EnrolledAt)
        .With("connected_since", node.ConnectedSince).With("created_at", node.CreatedAt).With("revoked_at", node.RevokedAt);

    private static NodeRecord Read(NpgsqlDataReader r) => NodeRows.Read(r, static (row, i) => row.GetFieldValue<DateTimeOffset>(i));
}
