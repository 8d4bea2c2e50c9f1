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
        var body = await MailboxRest.ReadBodyAsync(http, ActorApiJson.Default.CreateActorRequest, cancellationToken);
        if (body?.Id is null)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["id"] = ["an actor needs an id: 2-64 characters of [A-Za-z0-9._-]."] });
        PlacementCheck.Ensure(body.Placement, nodes);
        var actor = await actors.CreateActorAsync(body.Id, body.Name, body.TeamId, body.Role, body.Placement, cancellationToken);
        return Results.Json(ActorJson(actor, 0, nodes), ActorApiJson.Default.ActorBody, statusCode: StatusCodes.Status201Created);
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
    public static ActorBody ActorJson(ActorRecord a, long pending, IPlacementNodes nodes) => new(
        a.Id, a.Name, a.TeamId, a.TeamRole, a.Placement.ToString(), a.CreatedAt, pending,
        a.Placement.NodeId is { } node ? nodes.StateOf(node) switch
        {
            PlacementNodeState.Known => "registered",
            PlacementNodeState.Revoked => "removed",
            _ => "unknown",
        } : null);
}

/// <summary>An actor as the REST API shows it.</summary>
public sealed record ActorBody(string Id, string Name, string? TeamId, string Role, string Placement, DateTimeOffset CreatedAt, long PendingCount, string? PlacementNode);

/// <summary>The actors' REST shapes (snake_case, as AdminJson), source-generated for Native AOT.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ActorBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ActorEndpoints.CreateActorRequest))]
public sealed partial class ActorApiJson : System.Text.Json.Serialization.JsonSerializerContext;
