using Mesh.Hub.Cluster;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Mesh.Hub.Tests.Cluster;

/// <summary>
/// Two hubs' buses on one real PostgreSQL database: each LISTENs on its own connection, publishes with pg_notify,
/// reconnects when its listening backend is terminated and then tells its subscribers they may have missed some.
/// </summary>
[Collection(PostgresServer.Collection)]
public sealed class PostgresHubBusTests(PostgresServer server) : IAsyncLifetime
{
    private readonly List<PostgresDatabase> _databases = [];
    private readonly List<PostgresHubBus> _buses = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var bus in _buses)
            await bus.StopAsync(CancellationToken.None);
        foreach (var database in _databases)
            await database.DisposeAsync();
    }

    [Fact]
    public async Task Publish_OnOneHub_HeardOnBothInOrder_OnlyOnItsChannel()
    {
        var (a, b) = (await StartAsync(), await StartAsync());
        using var onA = new BusRecorder(a, "probe");
        using var onB = new BusRecorder(b, "probe");
        using var other = new BusRecorder(b, "other");
        await Task.WhenAll(onA.ListeningAsync(), onB.ListeningAsync(), other.ListeningAsync());

        await a.PublishAsync("probe", "1", CancellationToken.None);
        await a.PublishAsync("probe", "2", CancellationToken.None);
        await b.PublishAsync("other", "x", CancellationToken.None);
        await b.PublishAsync("probe", "3", CancellationToken.None);

        Assert.Equal(["1", "2", "3"], (await onA.UntilAsync("3")).Select(n => n.Message));
        Assert.Equal(["1", "2", "3"], (await onB.UntilAsync("3")).Select(n => n.Message));
        Assert.Equal("x", (await other.NextAsync()).Message);
    }

    [Fact]
    public async Task ListeningBackendTerminated_Reconnects_SubscribersToldMissed_ThenHearAgain()
    {
        var (a, b) = (await StartAsync(), await StartAsync());
        using var onA = new BusRecorder(a, "probe");
        await onA.ListeningAsync();
        var before = a.ListenerProcessId;

        await using (var admin = await _databases[0].OpenAsync(CancellationToken.None))
        await using (var kill = admin.Command("SELECT pg_terminate_backend(@pid)").With("pid", before))
            Assert.Equal(true, await kill.ExecuteScalarAsync());
        // Published while A has no listener: lost for A, which is why A must be told to re-read.
        await b.PublishAsync("probe", "while-down", CancellationToken.None);
        var heard = await onA.NextAsync();
        if (heard.Message == "while-down")
            heard = await onA.NextAsync();
        await b.PublishAsync("probe", "after", CancellationToken.None);

        Assert.True(heard.Missed, $"expected the missed signal after the reconnect, heard '{heard.Message}'");
        Assert.Equal("after", (await onA.NextAsync()).Message);
        Assert.NotEqual(0, a.ListenerProcessId);
        Assert.NotEqual(before, a.ListenerProcessId);
    }

    [Fact]
    public async Task PublishInTransaction_NotHeardBeforeCommit_RowVisibleWhenHeard_NeverHeardOnRollback()
    {
        var (a, b) = (await StartAsync(), await StartAsync());
        await using (var setup = await _databases[0].OpenAsync(CancellationToken.None))
        await using (var create = setup.Command("CREATE TABLE IF NOT EXISTS bus_probe (id text PRIMARY KEY)"))
            await create.ExecuteNonQueryAsync();
        var seenRow = new List<bool>();
        using var onB = new BusRecorder(b, "probe", async n =>
        {
            if (n.Message is { } id && id.StartsWith("row-", StringComparison.Ordinal))
                seenRow.Add(await RowExistsAsync(_databases[1], id));
        });
        await onB.ListeningAsync();

        await using var connection = await _databases[0].OpenAsync(CancellationToken.None);
        await using (var committed = await connection.BeginTransactionAsync())
        {
            await Insert(connection, committed, "row-1");
            await a.PublishAsync("probe", "row-1", committed, CancellationToken.None);
            // Sent and committed after the transaction's notify: heard first, because the transaction is still open.
            await a.PublishAsync("probe", "marker-1", CancellationToken.None);
            Assert.Equal(["marker-1"], (await onB.UntilAsync("marker-1")).Select(n => n.Message));
            await a.CommitAsync(committed, CancellationToken.None);
        }

        Assert.Equal("row-1", (await onB.NextAsync()).Message);
        await using (var rolledBack = await connection.BeginTransactionAsync())
        {
            await Insert(connection, rolledBack, "row-2");
            await a.PublishAsync("probe", "row-2", rolledBack, CancellationToken.None);
            await rolledBack.RollbackAsync();
        }

        await a.PublishAsync("probe", "marker-2", CancellationToken.None);
        Assert.Equal(["marker-2"], (await onB.UntilAsync("marker-2")).Select(n => n.Message));
        Assert.Equal([true], seenRow);
    }

    [Fact]
    public async Task Publish_TooLargeOrBadChannel_RefusedBeforeSending()
    {
        var a = await StartAsync();

        var large = await Assert.ThrowsAsync<ArgumentException>(() => a.PublishAsync("probe", new string('x', BusMessages.MaxMessageBytes + 1), CancellationToken.None));
        var channel = await Assert.ThrowsAsync<ArgumentException>(() => a.PublishAsync("Bad Channel", "1", CancellationToken.None));

        Assert.Contains("7000-byte limit", large.Message, StringComparison.Ordinal);
        Assert.Contains("'Bad Channel' must be 1–48 characters", channel.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => a.Subscribe("", (_, _) => Task.CompletedTask));
    }

    private async Task<PostgresHubBus> StartAsync()
    {
        var database = new PostgresDatabase(await server.DatabaseAsync(nameof(PostgresHubBusTests)), []);
        _databases.Add(database);
        var bus = new PostgresHubBus(database, TimeProvider.System, NullLogger<PostgresHubBus>.Instance);
        _buses.Add(bus);
        await bus.StartAsync(CancellationToken.None);
        return bus;
    }

    private static async Task Insert(NpgsqlConnection connection, NpgsqlTransaction transaction, string id)
    {
        await using var insert = connection.Command("INSERT INTO bus_probe (id) VALUES (@id)", transaction).With("id", id);
        await insert.ExecuteNonQueryAsync();
    }

    private static async Task<bool> RowExistsAsync(PostgresDatabase database, string id)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var read = connection.Command("SELECT count(*) FROM bus_probe WHERE id = @id").With("id", id);
        return (long)(await read.ExecuteScalarAsync())! == 1;
    }
}
