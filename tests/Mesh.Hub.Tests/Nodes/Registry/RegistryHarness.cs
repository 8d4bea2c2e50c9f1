using Mesh.Core.Tests;
using Mesh.Hub.Nodes;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Hub.Tests.Nodes.Registry;

/// <summary>A registry over a real SQLite file in a temp folder, on a clock the test moves.</summary>
internal sealed class RegistryHarness : IDisposable
{
    private readonly TempDirectory _dir = new();

    private RegistryHarness(HubDatabase database, FakeClock clock, NodeRegistryOptions options)
    {
        Database = database;
        Clock = clock;
        Sqlite = new NodeStore(database);
        Feed = new NodesFeed(maxSubscribers: 3);
        Registry = new NodeRegistry(Sqlite, [Feed], [new ExpiryRecorder(Expired)], Options.Create(options), clock, NullLogger<NodeRegistry>.Instance);
        Store = new NotifyingNodeStore(Sqlite, Registry, new SingleHubNodeChanges());
    }

    public HubDatabase Database { get; }

    public FakeClock Clock { get; }

    public NodeStore Sqlite { get; }

    public INodeStore Store { get; }

    public NodesFeed Feed { get; }

    public NodeRegistry Registry { get; }

    /// <summary>The sessions the registry declared expired (its <see cref="INodeSessionExpiry"/> calls), in order.</summary>
    public List<(string Id, long Generation)> Expired { get; } = [];

    public static async Task<RegistryHarness> CreateAsync(NodeRegistryOptions? options = null, TempDirectory? reuse = null)
    {
        var dir = reuse ?? new TempDirectory();
        var database = new HubDatabase(Path.Combine(dir.Path, "mesh.db"), [new RegistryMigrations()]);
        await database.InitializeAsync(CancellationToken.None);
        var harness = new RegistryHarness(database, new FakeClock(), options ?? new NodeRegistryOptions { SweepInterval = TimeSpan.FromHours(1) });
        await harness.Registry.LoadAsync(CancellationToken.None);
        return harness;
    }

    public async Task AddEnrolledAsync(string id, NodeStatus status = NodeStatus.Offline)
    {
        Assert.True(await Store.TryAddAsync(new NodeRecord { Id = id, Name = id, Status = status, CreatedAt = Clock.GetUtcNow(), EnrolledAt = Clock.GetUtcNow() }, CancellationToken.None));
    }

    public static NodeReportedFacts Facts(params string[] capabilities) => new("host", "linux", "x64", 4, 8L << 30, "0.1.0", capabilities);

    public static NodeMetrics Metrics(double cpu = 0.25) => new(default, cpu, 4L << 30, 8L << 30, 50L << 30, 100L << 30, 120);

    public void Dispose()
    {
        Registry.Dispose();
        _dir.Dispose();
    }
}

internal sealed class ExpiryRecorder(List<(string Id, long Generation)> expired) : INodeSessionExpiry
{
    public void SessionExpired(string nodeId, long generation) => expired.Add((nodeId, generation));
}

/// <summary>A clock that moves only when told.</summary>
internal sealed class FakeClock : TimeProvider
{
    private DateTimeOffset _now = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
