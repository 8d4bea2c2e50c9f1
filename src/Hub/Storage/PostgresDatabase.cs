using Mesh.Core.Configuration;
using Npgsql;

namespace Mesh.Hub.Storage;

/// <summary>
/// The hub's PostgreSQL database ([store] kind = "postgres"): one pooled <see cref="NpgsqlDataSource"/> per hub,
/// every session with the configured statement timeout. Migrations run in one transaction under an advisory lock,
/// so hubs starting together against one database apply each step exactly once.
/// </summary>
public sealed class PostgresDatabase : IHubDatabase, IAsyncDisposable
{
    // pg_advisory_xact_lock key for migrations: "mesh" in ASCII.
    private const long MigrationLock = 0x6D657368;

    private readonly PostgresStoreConfig _config;
    private readonly IReadOnlyList<IMigrationSource> _sources;

    public PostgresDatabase(PostgresStoreConfig config, IEnumerable<IMigrationSource> sources)
    {
        _config = config;
        _sources = sources.ToList();
        DataSource = new NpgsqlDataSourceBuilder(ConnectionString(config)).Build();
    }

    public NpgsqlDataSource DataSource { get; }

    public string Description => _config.ToString();

    /// <summary>Opens a pooled connection; failures become a <see cref="StoreException"/> that names the server, never the password.</summary>
    public async Task<System.Data.Common.DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => await OpenAsync(cancellationToken);

    public Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => OpenAsync(startup: false, cancellationToken);

    private async Task<NpgsqlConnection> OpenAsync(bool startup, CancellationToken cancellationToken)
    {
        try
        {
            return await DataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw PostgresErrors.Describe(ex, _config, startup);
        }
    }

    /// <summary>
    /// A connection outside the pool for a session that lives long (the cluster bus's LISTEN): Npgsql keepalives, so a
    /// server or network that went away is noticed while the connection only waits.
    /// </summary>
    public NpgsqlConnection CreateDedicatedConnection(string applicationName) =>
        new(new NpgsqlConnectionStringBuilder(ConnectionString(_config)) { Pooling = false, KeepAlive = 10, ApplicationName = applicationName }.ConnectionString);

    /// <summary>A driver message with the configured password replaced, for logs.</summary>
    public string Redact(string text) => PostgresErrors.Redact(text, _config);

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(startup: true, cancellationToken);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var lockAndTable = connection.Command(
                             "SELECT pg_advisory_xact_lock(@lock); CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());",
                             transaction).With("lock", MigrationLock))
                await lockAndTable.ExecuteNonQueryAsync(cancellationToken);

            var applied = new HashSet<string>(StringComparer.Ordinal);
            await using (var read = connection.Command("SELECT id FROM schema_migrations", transaction))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                    applied.Add(reader.GetString(0));
            }

            var known = _sources.SelectMany(s => s.PostgresMigrations).ToList();
            SchemaVersion.EnsureKnown(Description, applied, known);
            var done = new List<string>();
            foreach (var migration in known.Where(m => !applied.Contains(m.Id)))
            {
                await using (var step = connection.Command(migration.Sql, transaction))
                    await step.ExecuteNonQueryAsync(cancellationToken);
                await using (var mark = connection.Command("INSERT INTO schema_migrations (id) VALUES (@id)", transaction).With("id", migration.Id))
                    await mark.ExecuteNonQueryAsync(cancellationToken);
                done.Add(migration.Id);
            }

            await transaction.CommitAsync(cancellationToken);
            return done;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw PostgresErrors.Describe(ex, _config);
        }
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    /// <summary>The Npgsql connection string; it holds the password, so it is handed only to Npgsql, never printed.</summary>
    internal static string ConnectionString(PostgresStoreConfig config)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = config.Host,
            Port = config.Port,
            Database = config.Database,
            Username = config.Username,
            MaxPoolSize = config.PoolSize,
            MinPoolSize = 0,
            Timeout = 10,
            // The server cancels a statement at statement_timeout; the client gives it a little longer to say so.
            CommandTimeout = (int)Math.Ceiling(config.StatementTimeout.TotalSeconds) + 5,
            Options = $"-c statement_timeout={(long)config.StatementTimeout.TotalMilliseconds}",
            ApplicationName = "mesh-hub",
            // The stores run the same few statements over and over: prepared once per connection, PostgreSQL stops
            // parsing and planning each one (the mailbox writer's statements cost several times more unprepared).
            MaxAutoPrepare = 128,
            AutoPrepareMinUsages = 2,
            PersistSecurityInfo = false,
            IncludeErrorDetail = false,
        };
        if (config.Password is { } password)
            builder.Password = password.Reveal();
        if (config.SslMode is { } mode)
            builder.SslMode = Enum.Parse<SslMode>(mode.Replace("-", "", StringComparison.Ordinal), ignoreCase: true);
        return builder.ConnectionString;
    }
}
