namespace Mesh.Core.Configuration;

public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>[store]: where the hub keeps its state. <see cref="Postgres"/> is set exactly when the kind is PostgreSQL.</summary>
public sealed record StoreConfig(StoreKind Kind, PostgresStoreConfig? Postgres)
{
    public static StoreConfig Default { get; } = new(StoreKind.Sqlite, null);

    public override string ToString() => Postgres?.ToString() ?? "sqlite";
}

/// <summary>
/// A PostgreSQL server to connect to. The password lives only in <see cref="Password"/> (a <see cref="Secret"/>, which
/// prints as "(secret)"); <see cref="ToString"/> is the URL without it, safe for logs and messages.
/// </summary>
public sealed record PostgresStoreConfig(
    string Host,
    int Port,
    string Database,
    string Username,
    string? SslMode,
    Secret? Password,
    int PoolSize,
    TimeSpan StatementTimeout,
    TimeSpan HubLease = default)
{
    public const int DefaultPort = 5432;
    public const int DefaultPoolSize = 20;
    public static readonly TimeSpan DefaultStatementTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultHubLease = TimeSpan.FromSeconds(15);

    /// <summary>How long a hub's lease lasts without renewal (<see cref="DefaultHubLease"/> when not set).</summary>
    public TimeSpan Lease => HubLease > TimeSpan.Zero ? HubLease : DefaultHubLease;

    /// <summary>The values of sslmode Npgsql understands, as written in a libpq URL.</summary>
    public static IReadOnlyList<string> SslModes { get; } = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

    /// <summary>host:port, as messages name the server.</summary>
    public string Server => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public override string ToString() => $"postgres://{Uri.EscapeDataString(Username)}@{Server}/{Uri.EscapeDataString(Database)}{(SslMode is null ? "" : "?sslmode=" + SslMode)}";
}
