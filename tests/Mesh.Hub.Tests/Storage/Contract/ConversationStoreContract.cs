using Mesh.Hub.Agents.Conversations;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

/// <summary>Conversation bindings and routes: one binding per conversation however many senders race, moves that only one wins, routes and leases.</summary>
public abstract class ConversationStoreContract : StoreContract
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected ConversationStore Store { get; set; } = null!;

    private string Agent => Unique + "-agent";

    [Fact]
    public async Task Bind_FirstBinderWins_LaterBindsReturnTheSameReplica()
    {
        var first = await Store.BindAsync(Agent, "c1", "r1", T0, None);
        var second = await Store.BindAsync(Agent, "c1", "r2", T0.AddSeconds(1), None);

        Assert.Equal("r1", first.Replica);
        Assert.Equal("r1", second.Replica);
        Assert.Equal("r1", (await Store.FindAsync(Agent, "c1", None))!.Replica);
        Assert.Null(await Store.FindAsync(Agent, "c2", None));
        Assert.Null(await Store.FindAsync(Unique + "-other", "c1", None));
    }

    [Fact]
    public async Task Bind_ConcurrentBindersOfOneConversation_AllGetOneReplica()
    {
        var bindings = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => Store.BindAsync(Agent, "race", "r" + i, T0, None))));

        Assert.Single(bindings.Select(b => b.Replica).Distinct());
    }

    [Fact]
    public async Task Move_OnlyFromTheCurrentHolder_AndCountsTheMove()
    {
        await Store.BindAsync(Agent, "c1", "r1", T0, None);

        Assert.True(await Store.MoveAsync(Agent, "c1", "r1", "r2", T0.AddSeconds(1), None));
        Assert.False(await Store.MoveAsync(Agent, "c1", "r1", "r3", T0.AddSeconds(2), None));

        var moved = (await Store.FindAsync(Agent, "c1", None))!;
        Assert.Equal("r2", moved.Replica);
        Assert.Equal(1, moved.Moves);
    }

    [Fact]
    public async Task Renew_CountsTheMessage_ExtendsButNeverShortensTheLease_AndCountsActiveConversations()
    {
        await Store.BindAsync(Agent, "c1", "r1", T0, None);
        await Store.BindAsync(Agent, "c2", "r1", T0, None);
        await Store.BindAsync(Agent, "c3", "r2", T0, None);
        await Store.RenewAsync(Agent, "c1", T0, T0.AddMinutes(10), None);
        await Store.RenewAsync(Agent, "c3", T0, T0.AddMinutes(10), None);
        // A renewal with an earlier end counts the message but keeps the later lease.
        await Store.RenewAsync(Agent, "c3", T0, T0.AddMinutes(5), None);

        var counts = await Store.CountsAsync(Agent, T0.AddMinutes(1), None);
        Assert.Equal((2, 1), counts["r1"]);
        Assert.Equal((1, 1), counts["r2"]);
        Assert.Equal((2, 0), (await Store.CountsAsync(Agent, T0.AddMinutes(11), None))["r1"]);

        Assert.Equal((1, 1), (await Store.CountsAsync(Agent, T0.AddMinutes(6), None))["r2"]);

        var listed = await Store.ListAsync(Agent, 10, None);
        Assert.Equal(3, listed.Count);
        Assert.Equal(1, listed.Single(c => c.ConversationId == "c1").Messages);
        Assert.Equal(2, listed.Single(c => c.ConversationId == "c3").Messages);
        Assert.Equal(0, listed.Single(c => c.ConversationId == "c2").Messages);

        await Store.ForgetAsync(Agent, None);
        Assert.Empty(await Store.ListAsync(Agent, 10, None));
    }
}

public sealed class SqliteConversationStoreTests : ConversationStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenSqliteAsync();

    protected override void CreateStore() => Store = new ConversationStore(Sqlite);
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresConversationStoreTests(PostgresServer server) : ConversationStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenPostgresAsync(server);

    protected override void CreateStore() => Store = new ConversationStore(Postgres);
}
