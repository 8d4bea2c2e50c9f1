namespace Mesh.Hub.Storage;

/// <summary>One schema step. Ids are applied once, in order, and never edited after they ship.</summary>
public sealed record Migration(string Id, string Sql);

/// <summary>A capability's schema steps (registry, join, mailboxes…), contributed through DI.</summary>
public interface IMigrationSource
{
    IEnumerable<Migration> Migrations { get; }
}
