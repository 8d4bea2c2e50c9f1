using Mesh.Core.Tests;
using Mesh.Hub.Cluster;
using Mesh.Hub.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Hub.Tests.Cluster;

/// <summary>The single hub's bus (SQLite): the same rules as PostgreSQL's, delivered in-process.</summary>
public sealed class InProcessHubBusTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly InProcessHubBus _bus = new(NullLogger<InProcessHubBus>.Instance);
    private HubDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = new HubDatabase(Path.Combine(_dir.Path, "mesh.db"), []);
        await _database.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _bus.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Subscribe_FirstHearsMissed_ThenEachMessageInOrder()
    {
        using var heard = new BusRecorder(_bus, "probe");

        await _bus.PublishAsync("probe", "1", CancellationToken.None);
        await _bus.PublishAsync("elsewhere", "x", CancellationToken.None);
        await _bus.PublishAsync("probe", "2", CancellationToken.None);

        await heard.ListeningAsync();
        Assert.Equal(["1", "2"], (await heard.UntilAsync("2")).Select(n => n.Message));
    }

    [Fact]
    public async Task PublishInTransaction_HeardOnlyAfterCommitAsync_NeverAfterRollback()
    {
        using var heard = new BusRecorder(_bus, "probe");
        await heard.ListeningAsync();
        await using var connection = await _database.OpenAsync(CancellationToken.None);

        await using (var rolledBack = await connection.BeginTransactionAsync())
        {
            await _bus.PublishAsync("probe", "rolled-back", rolledBack, CancellationToken.None);
            await rolledBack.RollbackAsync();
        }

        await using (var committed = await connection.BeginTransactionAsync())
        {
            await _bus.PublishAsync("probe", "committed", committed, CancellationToken.None);
            await _bus.PublishAsync("probe", "marker", CancellationToken.None);
            Assert.Equal(["marker"], (await heard.UntilAsync("marker")).Select(n => n.Message));
            await _bus.CommitAsync(committed, CancellationToken.None);
        }

        Assert.Equal("committed", (await heard.NextAsync()).Message);
    }

    [Fact]
    public async Task SlowSubscriber_QueueOverflows_ToldMissed_OthersUnaffected()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var slow = new BusRecorder(_bus, "probe", n => n.Message == "0" ? gate.Task : Task.CompletedTask);
        using var fast = new BusRecorder(_bus, "probe");
        await slow.ListeningAsync();
        await fast.ListeningAsync();
        const int Count = BusSubscribers.QueueCapacity + 100;

        var fastHeard = new List<BusNotification>();
        // In batches the fast one drains before the next, so only the blocked one can overflow.
        for (var batch = 0; batch < Count; batch += 100)
        {
            for (var i = batch; i < Math.Min(batch + 100, Count); i++)
                await _bus.PublishAsync("probe", Text(i), CancellationToken.None);
            fastHeard.AddRange(await fast.UntilAsync(Text(Math.Min(batch + 100, Count) - 1)));
        }

        gate.SetResult();
        var slowHeard = await slow.UntilAsync(null!);
        await _bus.PublishAsync("probe", "end", CancellationToken.None);

        Assert.Equal(Count, fastHeard.Count);
        Assert.True(slowHeard[^1].Missed);
        // A full queue, plus the one its handler held while the rest arrived.
        Assert.InRange(slowHeard.Count(n => !n.Missed), BusSubscribers.QueueCapacity, BusSubscribers.QueueCapacity + 1);
        Assert.Equal("end", (await slow.NextAsync()).Message);
    }

    private static string Text(int i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
