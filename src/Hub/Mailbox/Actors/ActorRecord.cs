namespace Mesh.Hub.Mailbox.Actors;

/// <summary>An actor: a mailbox owner, placed on the hub or on the node it runs on.</summary>
public sealed record ActorRecord(string Id, string Name, string? TeamId, string TeamRole, ActorPlacement Placement, DateTimeOffset CreatedAt);

/// <summary>Roles inside a team.</summary>
public static class TeamRoles
{
    public const string Lead = "lead";
    public const string Worker = "worker";
    public const string Reviewer = "reviewer";

    public static bool IsValid(string? role) => role is Lead or Worker or Reviewer;
}
