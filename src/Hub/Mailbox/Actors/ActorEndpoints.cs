using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Web;

namespace Mesh.Hub.Mailbox.Actors;

/// <summary>POST /api/admin/actors and DELETE /api/admin/actors/{id} (root, on the /api/admin group).</summary>
public static class ActorEndpoints
{
    public sealed record CreateActorRequest(string? Id, string? Name, string? TeamId, string? Role, string? Placement);

    public static RouteGroupBuilder MapActorEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPost("/actors", CreateActorAsync);
        admin.MapDelete("/actors/{id}", DeleteActorAsync);
        return admin;
    }

    public static Task<IResult> CreateActorAsync(HttpRequest http, ActorService actors, IPlacementNodes nodes, CancellationToken cancellationToken) => MailboxRest.Guard(async () =>
    {
        var body = await MailboxRest.ReadBodyAsync<CreateActorRequest>(http, cancellationToken);
        if (body?.Id is null)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["id"] = ["an actor needs an id: 2-64 characters of [A-Za-z0-9._-]."] });
        PlacementCheck.Ensure(body.Placement, nodes);
        var actor = await actors.CreateActorAsync(body.Id, body.Name, body.TeamId, body.Role, body.Placement, cancellationToken);
        return Results.Json(ActorJson(actor, 0, nodes), AdminJson.Options, statusCode: StatusCodes.Status201Created);
    });

    public static Task<IResult> DeleteActorAsync(string id, ActorService actors, CancellationToken cancellationToken) => MailboxRest.Guard(async () =>
    {
        await actors.DeleteActorAsync(id, cancellationToken);
        return Results.NoContent();
    });

    /// <summary>
    /// The REST shape of an actor, with its pending count and what the registry says of the node it is placed on
    /// (placement_node: "registered", "removed" — it cannot reach the hub any more — or "unknown"; null on the hub).
    /// </summary>
    public static object ActorJson(ActorRecord a, long pending, IPlacementNodes nodes) => new
    {
        a.Id, a.Name, a.TeamId, Role = a.TeamRole, Placement = a.Placement.ToString(), a.CreatedAt, PendingCount = pending,
        PlacementNode = a.Placement.NodeId is { } node ? nodes.StateOf(node) switch
        {
            PlacementNodeState.Known => "registered",
            PlacementNodeState.Revoked => "removed",
            _ => "unknown",
        } : null,
    };
}
