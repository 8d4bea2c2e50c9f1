namespace Mesh.Hub.Storage;

/// <summary>The hub's database, whichever backend [store] chose: opened and migrated once at start (or by <c>mesh store migrate</c>).</summary>
public interface IHubDatabase
{
    /// <summary>What the store is, for messages: the SQLite file or the PostgreSQL URL (never a password).</summary>
    string Description { get; }

    /// <summary>
    /// A connection for the stores written once for both backends (SQL with <c>@name</c> parameters, standard
    /// <c>ON CONFLICT</c>, <see cref="DbStatements"/> for parameters and times).
    /// </summary>
    Task<System.Data.Common.DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Applies pending migrations. Throws <see cref="StoreException"/> with a message for the operator when the store
    /// cannot be reached or opened, or holds a schema from a newer Mesh (<see cref="SchemaTooNewException"/>).
    /// </summary>
    Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken);
}

/// <summary>The store cannot be used; the message says why and what to do, and never holds a secret.</summary>
public class StoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The database has schema steps this binary does not know: a newer Mesh migrated it.</summary>
public sealed class SchemaTooNewException(string message) : StoreException(message);

/// <summary>The newer-schema rule both backends apply before migrating.</summary>
public static class SchemaVersion
{
    /// <summary>Throws when <paramref name="applied"/> holds an id none of <paramref name="known"/> has.</summary>
    public static void EnsureKnown(string store, IEnumerable<string> applied, IEnumerable<Migration> known)
    {
        var knownIds = known.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var unknown = applied.Where(id => !knownIds.Contains(id)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count == 0)
            return;
        throw new SchemaTooNewException(
            $"the store {store} holds a schema from a newer Mesh: it has {unknown.Count} step(s) this version does not know " +
            $"({string.Join(", ", unknown.Take(5))}{(unknown.Count > 5 ? ", …" : "")}). Run the Mesh version that migrated it (or a newer one); " +
            "Mesh never downgrades a schema. To go back, restore the backup taken before the upgrade.");
    }
}
