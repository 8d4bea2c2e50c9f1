namespace Mesh.Hub.Cluster;

/// <summary>
/// Which hubs are alive: each hub holds a lease row in the <c>hubs</c> table and renews it; a hub that stops
/// gracefully drops it, one that dies lets it expire. Whatever a hub holds (node sessions, claimed commands) counts
/// only while its lease does.
/// </summary>
public interface IHubLeases
{
    /// <summary>This hub.</summary>
    LocalHub Local { get; }

    /// <summary>Whether <paramref name="hubId"/>'s lease was current at the last renewal (this hub's is always).</summary>
    bool IsAlive(string hubId);

    /// <summary>Whether <paramref name="hubId"/>'s lease is current now, read from the database.</summary>
    Task<bool> IsAliveNowAsync(string hubId, CancellationToken cancellationToken);
}

/// <summary>One hub on SQLite: it is the only one, and alive.</summary>
public sealed class SingleHubLeases(LocalHub local) : IHubLeases
{
    public LocalHub Local => local;

    public bool IsAlive(string hubId) => string.Equals(hubId, local.Id, StringComparison.Ordinal);

    public Task<bool> IsAliveNowAsync(string hubId, CancellationToken cancellationToken) => Task.FromResult(IsAlive(hubId));
}
