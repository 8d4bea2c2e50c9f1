using Mesh.Core.Auth;
using Mesh.Core.Configuration;
using Mesh.Core.Protocol;

namespace Mesh.Hub.Mailbox;

public sealed partial class MailboxService
{
    public async Task<TeamMembersResponse> TeamMembersAsync(CallerIdentity caller, TeamMembersRequest request, CancellationToken cancellationToken)
    {
        var acting = Resolve(caller, request.ActorId, rootMayActAsItself: true);
        var teamId = string.IsNullOrEmpty(request.TeamId) ? acting.Actor?.TeamId : request.TeamId;
        if (teamId is null)
        {
            throw new MailboxException(acting.IsRoot ? MailboxError.InvalidArgument : MailboxError.FailedPrecondition,
                acting.IsRoot ? "name the team with --team-id." : $"actor '{acting.Id}' is in no team; name one with --team-id.");
        }

        if (!acting.IsRoot && !string.Equals(acting.Actor!.TeamId, teamId, StringComparison.Ordinal))
            throw new MailboxException(MailboxError.PermissionDenied, $"actor '{acting.Id}' is not a member of team '{teamId}'.");
        var members = _store.TeamMembers(teamId);
        if (members.Count == 0)
            throw new MailboxException(MailboxError.NotFound, $"no team '{teamId}'.");
        var counts = await _store.CountPendingByActorAsync(cancellationToken);
        var response = new TeamMembersResponse { TeamId = teamId };
        foreach (var member in members)
        {
            response.Members.Add(new TeamMember
            {
                ActorId = member.Id,
                Name = member.Name,
                Role = member.TeamRole,
                Placement = member.Placement.ToString(),
                PendingCount = (ulong)counts.GetValueOrDefault(member.Id),
            });
        }

        return response;
    }

    /// <summary>Creates an actor (root only: REST and UI). Its team exists as soon as it has a member.</summary>
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
        return _store.CreateActorAsync(new ActorRecord(id, display, string.IsNullOrEmpty(teamId) ? null : teamId, teamRole, where, _time.GetUtcNow()), cancellationToken);
    }

    public async Task DeleteActorAsync(string id, CancellationToken cancellationToken)
    {
        if (!await _store.DeleteActorAsync(id, cancellationToken))
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
