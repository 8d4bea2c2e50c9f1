using Mesh.Core.Auth;
using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Actors;

/// <summary>
/// Who a call acts as. Root may act as any actor (or as "root" itself where that makes sense); an actor token only
/// as its own subject, and a node-signed one only if that actor is placed on the signing node; a node token only
/// for actors placed on that node.
/// </summary>
public sealed record ActingActor(string Id, ActorRecord? Actor, CallerIdentity Caller)
{
    public const string RootId = "root";

    public bool IsRoot => Actor is null;

    internal static ActingActor Resolve(IActorStore store, CallerIdentity caller, string? requested, bool rootMayActAsItself)
    {
        var wanted = string.IsNullOrEmpty(requested) ? null : requested;
        switch (caller.Scope)
        {
            case CallerScope.Root:
                if (wanted is null)
                {
                    return rootMayActAsItself
                        ? new ActingActor(RootId, null, caller)
                        : throw new MailboxException(MailboxError.InvalidArgument, "a root token acts for an actor: name it with --actor-id (actor_id).");
                }

                return new ActingActor(wanted, Find(store, wanted), caller);

            case CallerScope.Actor:
                if (wanted is not null && !string.Equals(wanted, caller.Subject, StringComparison.Ordinal))
                    throw new MailboxException(MailboxError.PermissionDenied, $"this token belongs to actor '{caller.Subject}'; it cannot act as '{wanted}'. Drop --actor-id or use that actor's token.");
                var self = Find(store, caller.Subject);
                if (caller.NodeId is not null && !self.Placement.IsOn(caller.NodeId))
                    throw new MailboxException(MailboxError.PermissionDenied, $"node '{caller.NodeId}' signed a token for actor '{self.Id}', but that actor is placed on '{self.Placement}'.");
                return new ActingActor(self.Id, self, caller);

            case CallerScope.Node:
                if (wanted is null)
                    throw new MailboxException(MailboxError.InvalidArgument, "a node token acts for an actor placed on it: set actor_id.");
                var placed = Find(store, wanted);
                if (!placed.Placement.IsOn(caller.Subject))
                    throw new MailboxException(MailboxError.PermissionDenied, $"actor '{wanted}' is placed on '{placed.Placement}', not on node '{caller.Subject}'.");
                return new ActingActor(placed.Id, placed, caller);

            default:
                throw new MailboxException(MailboxError.PermissionDenied, "unknown token scope");
        }
    }

    private static ActorRecord Find(IActorStore store, string id) =>
        store.FindActor(id) ?? throw new MailboxException(MailboxError.NotFound, $"actor '{id}' does not exist. Create it with POST /api/admin/actors or check the id.");
}
