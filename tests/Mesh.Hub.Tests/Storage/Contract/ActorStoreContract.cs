using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

/// <summary>The actor directory: created and deleted through the writer, served from memory, loaded again at start.</summary>
public abstract class ActorStoreContract : MailboxStoreContract
{
    private ActorRecord Actor(string name, string? team = null, string role = TeamRoles.Worker, string? node = null) =>
        new(A(name), "Name " + name, team is null ? null : A(team), role, node is null ? ActorPlacement.Hub : ActorPlacement.OnNode(node), T0);

    [Fact]
    public async Task Create_ThenReopen_SameDirectoryWithEveryField()
    {
        await Hub.Actors.CreateActorAsync(Actor("lead", "team", TeamRoles.Lead), None);
        await Hub.Actors.CreateActorAsync(Actor("worker", "team", node: "node-a"), None);
        await Hub.Actors.CreateActorAsync(Actor("loner"), None);

        await ReopenAsync();

        Assert.Equal(Actor("worker", "team", node: "node-a"), Hub.Actors.FindActor(A("worker")));
        Assert.Equal(Actor("loner"), Hub.Actors.FindActor(A("loner")));
        Assert.Equal([A("lead"), A("worker")], Hub.Actors.TeamMembers(A("team")).Select(a => a.Id));
        Assert.Equal([A("lead"), A("loner"), A("worker")], Hub.Actors.ListActors().Where(a => a.Id.StartsWith(Unique, StringComparison.Ordinal)).Select(a => a.Id));
    }

    [Fact]
    public async Task Create_IdTakenEvenIfThisDirectoryDoesNotKnowIt_AlreadyExists()
    {
        await Hub.Actors.CreateActorAsync(Actor("bob"), None);
        // A directory that never loaded the row (as another hub's): the key refuses the second row, not the memory.
        var stale = new ActorStore(Hub.Writer);

        var refused = await Assert.ThrowsAsync<MailboxException>(() => stale.CreateActorAsync(Actor("bob"), None));

        Assert.Equal(MailboxError.AlreadyExists, refused.Error);
        Assert.Null(stale.FindActor(A("bob")));
    }

    [Fact]
    public async Task Delete_ThenFind_GoneAndASecondDeleteSaysFalse()
    {
        await Hub.Actors.CreateActorAsync(Actor("bob", "team"), None);

        Assert.True(await Hub.Actors.DeleteActorAsync(A("bob"), None));
        Assert.False(await Hub.Actors.DeleteActorAsync(A("bob"), None));

        Assert.Null(Hub.Actors.FindActor(A("bob")));
        Assert.Empty(Hub.Actors.TeamMembers(A("team")));
        await ReopenAsync();
        Assert.Null(Hub.Actors.FindActor(A("bob")));
    }
}

public sealed class SqliteActorStoreTests : ActorStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenSqliteAsync();
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresActorStoreTests(PostgresServer server) : ActorStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenPostgresAsync(server);
}
