using Mesh.Core.Join;
using Mesh.Core.Tests;
using Mesh.Hub.Nodes.Join;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Tests.Nodes.Join;

public sealed class JoinTokenStoreTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private SqliteJoinTokenStore _store = null!;

    public async Task InitializeAsync()
    {
        var database = new HubDatabase(Path.Combine(_dir.Path, "mesh.db"), [new JoinMigrations()]);
        await database.InitializeAsync(CancellationToken.None);
        _store = new SqliteJoinTokenStore(database);
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TryConsume_MultiUseTokenFromManyTasks_ConsumesExactlyTheUses()
    {
        var secret = JoinToken.NewSecret();
        var now = DateTimeOffset.UtcNow;
        await _store.AddAsync(new JoinTokenInfo("0123456789ab", now, now.AddHours(1), 50, 50, null, "test", null, null), JoinToken.HashSecret(secret), CancellationToken.None);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var mine = new List<ConsumeOutcome>();
            for (var i = 0; i < 10; i++)
                mine.Add((await _store.TryConsumeAsync("0123456789ab", JoinToken.HashSecret(secret), now, CancellationToken.None)).Outcome);
            return mine;
        })));

        var all = outcomes.SelectMany(o => o).ToList();
        Assert.Equal(50, all.Count(o => o == ConsumeOutcome.Consumed));
        Assert.Equal(30, all.Count(o => o == ConsumeOutcome.UsedUp));
        Assert.Equal(0, (await _store.ListAsync(CancellationToken.None)).Single().UsesLeft);
    }
}
