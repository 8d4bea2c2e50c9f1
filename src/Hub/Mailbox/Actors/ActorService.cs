using Mesh.Core.Auth;
using Mesh.Core.Configuration;
using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Actors;

/// <summary>Actors and teams: who a call acts as, and the directory's changes (root only: REST and UI).</summary>
public sealed class ActorService(IActorStore store, TimeProvider time)
{
    /// <summary>The operator acting in the UI (or over REST): root, acting as itself.</summary>
    public static CallerIdentity RootCaller { get; } = new(CallerScope.Root, ActingActor.RootId, null, string.Empty, DateTimeOffset.MaxValue);

    public ActingActor Resolve(CallerIdentity caller, string? actorId, bool rootMayActAsItself = false) =>
        ActingActor.Resolve(store, caller, actorId, rootMayActAsItself);

    public ActorRecord? Find(string actorId) => store.FindActor(actorId);

    public IReadOnlyList<ActorRecord> List() => store.ListActors();

    public IReadOnlyList<ActorRecord> TeamMembers(string teamId) => store.TeamMembers(teamId);

    /// <summary>Creates an actor. Its team exists as soon as it has a member.</summary>
    public Task<ActorRecord> CreateActorAsync(string id, string? name, string? teamId, string? role, string? placement, CancellationToken cancellationToken)
    {
        if (!NodeIds.IsValid(id, out var error))
            throw new MailboxException(MailboxError.InvalidArgument, "actor id: " + error);
        if (id == ActingActor.RootId)
            throw new MailboxException(MailboxError.InvalidArgument, "actor id 'root' is reserved for the root operator.");
        if (!string.IsNullOrEmpty(teamId) && !NodeIds.IsValid(teamId, out var teamError))
            throw new MailboxException(MailboxError.InvalidArgument, "team id: " + teamError);
        var teamRole = string.IsNullOrEmpty(role) ? TeamRoles.Worker : role;
        if (!TeamRoles.IsValid(teamRole))
            throw new MailboxException(MailboxError.InvalidArgument, $"team role '{role}' is not one of lead, worker, reviewer.");
        var where = ParsePlacement(placement);
        var display = string.IsNullOrWhiteSpace(name) ? id : name.Trim();
        if (display.Length > 200)
            throw new MailboxException(MailboxError.InvalidArgument, "the display name is longer than 200 characters.");
        return store.CreateActorAsync(new ActorRecord(id, display, string.IsNullOrEmpty(teamId) ? null : teamId, teamRole, where, time.GetUtcNow()), cancellationToken);
    }

    public async Task DeleteActorAsync(string id, CancellationToken cancellationToken)
    {
        if (!await store.DeleteActorAsync(id, cancellationToken))
            throw new MailboxException(MailboxError.NotFound, $"actor '{id}' does not exist.");
    }

    /// <summary>"hub" (or nothing) is the hub; anything else must be a node id, the embedded node's included, but no other of the hub's own names.</summary>
    private static ActorPlacement ParsePlacement(string? placement)
    {
        if (string.IsNullOrEmpty(placement) || placement == ActorPlacement.HubText)
            return ActorPlacement.Hub;
        if (!NodeIds.IsValid(placement, out var error))
            throw new MailboxException(MailboxError.InvalidArgument, "placement: " + error);
        if (NodeIds.IsReserved(placement) && placement != NodeIds.EmbeddedNodeDefault)
            throw new MailboxException(MailboxError.InvalidArgument, $"placement: '{placement}' is not a node; use \"{ActorPlacement.HubText}\" or a node id.");
        return ActorPlacement.OnNode(placement);
    }
}
