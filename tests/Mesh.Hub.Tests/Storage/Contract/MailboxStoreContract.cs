using Mesh.Core.Protocol;
using Mesh.Core.Tests;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Messages;

namespace Mesh.Hub.Tests.Storage.Contract;

/// <summary>
/// The base of the mailbox stores' contracts: the stores over the test's database (<see cref="Hub"/>), a restart
/// (<see cref="ReopenAsync"/>), and actor ids of this test's own (the PostgreSQL database is shared by a class).
/// </summary>
public abstract class MailboxStoreContract : StoreContract
{
    protected static readonly CancellationToken None = CancellationToken.None;

    protected ManualTimeProvider Clock { get; } = new(T0);

    protected MailboxParts Hub { get; private set; } = null!;

    protected sealed override void CreateStore()
    {
    }

    protected sealed override async Task StartAsync() => Hub = await MailboxParts.OpenAsync(Database, Clock);

    protected sealed override async Task StopAsync()
    {
        if (Hub is not null)
            await Hub.DisposeAsync();
    }

    /// <summary>Closes the stores and opens them again on the same database, as a hub restart does.</summary>
    protected async Task ReopenAsync()
    {
        await Hub.DisposeAsync();
        Hub = await MailboxParts.OpenAsync(Database, Clock);
    }

    /// <summary>This test's actor id for <paramref name="name"/>.</summary>
    protected string A(string name) => $"{Unique}-{name}";

    protected async Task AddActorsAsync(params string[] names)
    {
        foreach (var name in names)
            await Hub.Actors.CreateActorAsync(new ActorRecord(A(name), name, null, TeamRoles.Worker, ActorPlacement.Hub, T0), None);
    }

    protected NewMessage Text(string from, string to, string payload, string? key = null) =>
        new(A(from), [A(to)], null, null, "default", payload, PayloadKind.Text, key);

    protected InboxQuery Inbox(string actor, int limit = 1000, bool includeDelivered = false) => new(A(actor), limit, 0, includeDelivered, null, null);
}
