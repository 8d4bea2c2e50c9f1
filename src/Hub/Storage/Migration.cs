namespace Mesh.Hub.Storage;

/// <summary>One schema step. Ids are applied once, in order, and never edited or removed after they ship.</summary>
public sealed record Migration(string Id, string Sql);

/// <summary>
/// A capability's schema steps (registry, join, mailboxes…), contributed through DI: the same tables for each backend,
/// written in each one's SQL (SQLite keeps times as ISO-8601 text; PostgreSQL as timestamptz).
/// </summary>
public interface IMigrationSource
{
    IEnumerable<Migration> Migrations { get; }

    IEnumerable<Migration> PostgresMigrations { get; }
}
