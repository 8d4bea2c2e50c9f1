using Mesh.Core.Join;
using Mesh.Hub.Nodes.Join;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

public abstract class JoinTokenStoreContract : StoreContract
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected IJoinTokenStore Store { get; set; } = null!;

    private async Task<(JoinTokenInfo Token, byte[] Hash)> AddAsync(string suffix, int uses = 1, DateTimeOffset? createdAt = null)
    {
        var token = new JoinTokenInfo(Unique + suffix, createdAt ?? T0, T0.AddHours(1), uses, uses, "node-" + suffix, "root", null, null);
        var hash = JoinToken.HashSecret(JoinToken.NewSecret());
        await Store.AddAsync(token, hash, None);
        return (token, hash);
    }

    [Fact]
    public async Task Add_ThenList_RoundTripsNewestFirst()
    {
        var (older, _) = await AddAsync("old", uses: 3, createdAt: T0);
        var (newer, _) = await AddAsync("new", uses: 1, createdAt: T0.AddMinutes(1));

        var mine = (await Store.ListAsync(None)).Where(t => t.Id.StartsWith(Unique, StringComparison.Ordinal)).ToList();

        Assert.Equal([newer, older], mine);
    }

    [Fact]
    public async Task TryConsume_RightSecret_ConsumesOneUse()
    {
        var (token, hash) = await AddAsync("one", uses: 2);

        var (outcome, consumed) = await Store.TryConsumeAsync(token.Id, hash, T0.AddMinutes(1), None);

        Assert.Equal(ConsumeOutcome.Consumed, outcome);
        Assert.Equal(token with { UsesLeft = 1, LastUsedAt = T0.AddMinutes(1) }, consumed);
        Assert.Equal(consumed, (await Store.ListAsync(None)).Single(t => t.Id == token.Id));
    }

    [Fact]
    public async Task TryConsume_WrongSecretOrUnknownId_IsNotValidAndConsumesNothing()
    {
        var (token, _) = await AddAsync("wrong");

        Assert.Equal((ConsumeOutcome.NotValid, (JoinTokenInfo?)null), await Store.TryConsumeAsync(token.Id, JoinToken.HashSecret(JoinToken.NewSecret()), T0, None));
        Assert.Equal((ConsumeOutcome.NotValid, (JoinTokenInfo?)null), await Store.TryConsumeAsync(Unique + "nope", JoinToken.HashSecret(JoinToken.NewSecret()), T0, None));
        Assert.Equal(1, (await Store.ListAsync(None)).Single(t => t.Id == token.Id).UsesLeft);
    }

    [Fact]
    public async Task TryConsume_UsedUp_SaysSo()
    {
        var (token, hash) = await AddAsync("used");
        await Store.TryConsumeAsync(token.Id, hash, T0, None);

        Assert.Equal(ConsumeOutcome.UsedUp, (await Store.TryConsumeAsync(token.Id, hash, T0, None)).Outcome);
    }

    [Fact]
    public async Task Revoke_OnceOnly_AndARevokedTokenIsNotConsumed()
    {
        var (token, hash) = await AddAsync("rev");

        Assert.True(await Store.RevokeAsync(token.Id, T0.AddMinutes(2), None));
        Assert.False(await Store.RevokeAsync(token.Id, T0.AddMinutes(3), None));
        Assert.False(await Store.RevokeAsync(Unique + "unknown", T0, None));

        var (outcome, seen) = await Store.TryConsumeAsync(token.Id, hash, T0, None);
        Assert.Equal(ConsumeOutcome.Revoked, outcome);
        Assert.Equal(T0.AddMinutes(2), seen!.RevokedAt);
        Assert.Equal(1, seen.UsesLeft);
    }

    [Fact]
    public async Task TryConsume_MultiUseTokenFromManyTasks_ConsumesExactlyTheUses()
    {
        var (token, hash) = await AddAsync("race", uses: 50);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var mine = new List<ConsumeOutcome>();
            for (var i = 0; i < 10; i++)
                mine.Add((await Store.TryConsumeAsync(token.Id, hash, T0, None)).Outcome);
            return mine;
        })));

        var all = outcomes.SelectMany(o => o).ToList();
        Assert.Equal(50, all.Count(o => o == ConsumeOutcome.Consumed));
        Assert.Equal(30, all.Count(o => o == ConsumeOutcome.UsedUp));
        Assert.Equal(0, (await Store.ListAsync(None)).Single(t => t.Id == token.Id).UsesLeft);
    }
}

public sealed class SqliteJoinTokenStoreTests : JoinTokenStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenSqliteAsync();

    protected override void CreateStore() => Store = new JoinTokenStore(Sqlite);
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresJoinTokenStoreTests(PostgresServer server) : JoinTokenStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenPostgresAsync(server);

    protected override void CreateStore() => Store = new JoinTokenStore(Postgres);
}
