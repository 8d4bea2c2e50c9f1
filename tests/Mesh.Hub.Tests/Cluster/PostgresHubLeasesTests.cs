using Mesh.Core.Tests;
using Mesh.Hub.Cluster;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Hub.Tests.Cluster;

/// <summary>Hubs' leases in a real PostgreSQL database: taken at start, judged by the reader's clock, dropped at a clean stop.</summary>
[Collection(PostgresServer.Collection)]
public sealed class PostgresHubLeasesTests(PostgresServer server) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
            await owned.DisposeAsync();
    }

    [Fact]
    public async Task Lease_AliveUntilItExpiresOnTheReadersClock_OrTheHubStops()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var a = await StartAsync("a", clock);
        var b = await StartAsync("b", TimeProvider.System);
        var c = await StartAsync("c", TimeProvider.System);

        var bAlive = await a.IsAliveNowAsync(b.Local.Id, CancellationToken.None);
        clock.Advance(new ClusterOptions().LeaseDuration + TimeSpan.FromSeconds(1));
        var bAfterExpiry = await a.IsAliveNowAsync(b.Local.Id, CancellationToken.None);
        var cAlive = await b.IsAliveNowAsync(c.Local.Id, CancellationToken.None);
        await c.StopAsync(CancellationToken.None);
        var cStopped = await b.IsAliveNowAsync(c.Local.Id, CancellationToken.None);

        Assert.Equal((true, false), (bAlive, bAfterExpiry));
        Assert.Equal((true, false), (cAlive, cStopped));
        Assert.False(b.IsAlive(c.Local.Id));
        Assert.True(a.IsAlive(a.Local.Id));
        Assert.False(await a.IsAliveNowAsync("never-started", CancellationToken.None));
    }

    [Fact]
    public void Options_RenewNotWellInsideTheLease_Refused()
    {
        var options = Options.Create(new ClusterOptions { LeaseDuration = TimeSpan.FromSeconds(10), RenewInterval = TimeSpan.FromSeconds(6) });

        var refused = Assert.Throws<OptionsValidationException>(() =>
            new PostgresHubLeases(new LocalHub("x"), null!, null!, TimeProvider.System, options, NullLogger<PostgresHubLeases>.Instance));

        Assert.Contains("renew interval 6 s must be at most half the lease duration 10 s", refused.Message, StringComparison.Ordinal);
    }

    private async Task<PostgresHubLeases> StartAsync(string name, TimeProvider clock)
    {
        var database = new PostgresDatabase(await server.DatabaseAsync(nameof(PostgresHubLeasesTests)), [new ClusterMigrations()]);
        _owned.Add(database);
        await database.MigrateAsync(CancellationToken.None);
        var bus = new InProcessHubBus(NullLogger<InProcessHubBus>.Instance);
        _owned.Add(bus);
        var leases = new PostgresHubLeases(new LocalHub($"{name}-{Guid.NewGuid().ToString("N")[..8]}"), database, bus, clock, Options.Create(new ClusterOptions()), NullLogger<PostgresHubLeases>.Instance);
        await leases.StartAsync(CancellationToken.None);
        _owned.Add(new Stopper(leases));
        return leases;
    }

    private sealed class Stopper(PostgresHubLeases leases) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await leases.StopAsync(CancellationToken.None);
            leases.Dispose();
        }
    }
}
