using Microsoft.Data.Sqlite;

namespace Mesh.Hub.Storage;

/// <summary>
/// The hub's embedded SQLite database (data_dir/mesh.db): WAL journal, synchronous=FULL (a write that
/// returned is on disk), foreign keys on, a busy timeout so concurrent writers queue instead of failing.
/// No connection checkpoints on commit (<c>wal_autocheckpoint = 0</c>): SQLite would otherwise copy the WAL into
/// the database inside whichever commit crossed 1,000 pages, and every writer waiting on that commit would wait for
/// the copy and its fsyncs too. <see cref="WalCheckpointer"/> does it in the background instead.
/// </summary>
public sealed class HubDatabase : IHubDatabase
{
    private readonly string _connectionString;
    private readonly IReadOnlyList<IMigrationSource> _sources;
    private readonly TimeProvider _time;

    public HubDatabase(string path, IEnumerable<IMigrationSource> sources, TimeProvider? time = null)
    {
        Path = path;
        _sources = sources.ToList();
        _time = time ?? TimeProvider.System;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public string Description => Path;

    public async Task<System.Data.Common.DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => await OpenAsync(cancellationToken);

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragmas = connection.CreateCommand();
        pragmas.CommandText = "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0;";
        await pragmas.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// Copies committed WAL frames into the database without blocking writers or readers (PASSIVE), or with
    /// <paramref name="truncate"/> also empties the WAL file (waits for readers; for shutdown).
    /// </summary>
    public async Task<WalCheckpoint> CheckpointAsync(SqliteConnection connection, bool truncate, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = truncate ? "PRAGMA wal_checkpoint(TRUNCATE)" : "PRAGMA wal_checkpoint(PASSIVE)";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new WalCheckpoint(reader.GetInt32(0) != 0, reader.GetInt32(1), reader.GetInt32(2));
    }

    /// <summary>Creates the file (0600), switches to WAL and applies pending migrations in one transaction each.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken) => await MigrateAsync(cancellationToken);

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ApplyMigrationsAsync(cancellationToken);
        }
        catch (SqliteException ex)
        {
            throw new StoreException($"cannot open the store {Path}: {ex.Message}", ex);
        }
    }

    private async Task<List<string>> ApplyMigrationsAsync(CancellationToken cancellationToken)
    {
        var isNew = !File.Exists(Path);
        await using var connection = await OpenAsync(cancellationToken);
        if (isNew && !OperatingSystem.IsWindows())
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL);";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        var applied = new HashSet<string>(StringComparer.Ordinal);
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT id FROM schema_migrations";
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                applied.Add(reader.GetString(0));
        }

        var known = _sources.SelectMany(s => s.Migrations).ToList();
        SchemaVersion.EnsureKnown(Path, applied, known);
        var done = new List<string>();
        foreach (var migration in known)
        {
            if (applied.Contains(migration.Id))
                continue;
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using (var step = connection.CreateCommand())
            {
                step.Transaction = transaction;
                step.CommandText = migration.Sql;
                await step.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var mark = connection.CreateCommand())
            {
                mark.Transaction = transaction;
                mark.CommandText = "INSERT INTO schema_migrations (id, applied_at) VALUES ($id, $at)";
                mark.Parameters.AddWithValue("$id", migration.Id);
                mark.Parameters.AddWithValue("$at", _time.GetUtcNow().ToString("O"));
                await mark.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            done.Add(migration.Id);
        }

        return done;
    }
}

/// <summary>The answer of <c>PRAGMA wal_checkpoint</c>: whether it could not finish, WAL frames, frames now in the database.</summary>
public readonly record struct WalCheckpoint(bool Busy, int LogFrames, int CheckpointedFrames);
