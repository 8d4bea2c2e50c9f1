using System.Threading.Channels;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Tests.Mailbox.Support;
using static Mesh.Hub.Tests.Mailbox.Support.MailboxTestData;
using static Mesh.Hub.Tests.Mailbox.Support.StoreHarness;

namespace Mesh.Hub.Tests.Mailbox.Actors;

/// <summary>Who a call may act as (actor, node-signed and node tokens, root) and the actor directory's checks.</summary>
public sealed class ActorServiceTests
{
    [Fact]
    public async Task ActorToken_ActingAsAnotherActor_PermissionDenied()
    {
        await using var h = await TeamAsync();
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Messages.InboxAsync(Actor("alice"), new InboxRequest { ActorId = "lead" }, None)));
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Messages.SendAsync(Actor("alice"), To("lead", "x", from: "rev"), None)));
        var own = await h.Messages.InboxAsync(Actor("alice"), new InboxRequest { ActorId = "alice" }, None);
        Assert.Empty(own.Messages);
    }

    [Fact]
    public async Task RootToken_ActsForAnyActor_AndMustNameOneToRead()
    {
        await using var h = await TeamAsync();
        var sent = await h.Messages.SendAsync(Root, To("alice", "from alice's lead", from: "lead"), None);
        var inbox = await h.Messages.InboxAsync(Root, new InboxRequest { ActorId = "alice" }, None);
        Assert.Equal(sent.MessageId, Assert.Single(inbox.Messages).Id);
        Assert.Equal("lead", inbox.Messages[0].FromActorId);
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Messages.InboxAsync(Root, new InboxRequest(), None)));
        var asRoot = await h.Messages.SendAsync(Root, To("alice", "from root"), None);
        Assert.False(asRoot.Duplicate);
    }

    [Fact]
    public async Task NodeSignedActorToken_FromANodeCalledHub_CannotActForHubPlacedActors()
    {
        await using var h = await TeamAsync();

        // Placement "hub" is the hub itself, never a node id: a token signed by a node's key, whatever its id, does not reach it.
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Messages.InboxAsync(Actor("alice", node: "hub"), new InboxRequest(), None)));
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Messages.SendAsync(Actor("alice", node: "hub"), To("lead", "x"), None)));
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Messages.InboxAsync(NodeCaller("hub"), new InboxRequest { ActorId = "alice" }, None)));
    }

    [Fact]
    public async Task NodeSignedActorToken_OnlyForActorsPlacedOnThatNode()
    {
        await using var h = await TeamAsync();
        await h.Messages.SendAsync(Actor("remote", node: "node-a"), To("lead", "hi from node-a"), None);
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Messages.SendAsync(Actor("remote", node: "node-b"), To("lead", "x"), None)));
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Messages.InboxAsync(Actor("alice", node: "node-a"), new InboxRequest(), None)));
    }

    [Fact]
    public async Task NodeToken_ActsOnlyForActorsPlacedOnIt()
    {
        await using var h = await TeamAsync();
        var read = await h.Messages.InboxAsync(NodeCaller("node-a"), new InboxRequest { ActorId = "remote" }, None);
        Assert.Empty(read.Messages);
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Messages.InboxAsync(NodeCaller("node-a"), new InboxRequest { ActorId = "alice" }, None)));
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Messages.InboxAsync(NodeCaller("node-a"), new InboxRequest(), None)));
    }

    [Fact]
    public async Task CreateActor_BadInput_Refused()
    {
        await using var h = await TeamAsync();
        Assert.Equal(MailboxError.AlreadyExists, await RefusedAsync(() => h.Actors.CreateActorAsync("alice", null, null, null, null, None)));
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Actors.CreateActorAsync("a", null, null, null, null, None)));
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Actors.CreateActorAsync("root", null, null, null, null, None)));
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Actors.CreateActorAsync("bob", null, "t1", "boss", null, None)));
        Assert.Equal(MailboxError.NotFound, await RefusedAsync(() => h.Actors.DeleteActorAsync("ghost", None)));
        await h.Actors.DeleteActorAsync("loner", None);
        Assert.Null(h.ActorStore.FindActor("loner"));
    }
}
