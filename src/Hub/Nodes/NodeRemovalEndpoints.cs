using System.Security.Claims;
using Mesh.Hub.Nodes.Registry;

namespace Mesh.Hub.Nodes;

/// <summary>
/// DELETE /api/admin/agent-nodes/{id}: removes (revokes) a node at once; refused with 409 while the node reports
/// running agents, unless ?force=true, and always while agents are placed on it (<see cref="INodeRemovalCheck"/>).
/// </summary>
internal static class NodeRemovalEndpoints
{
    public static void MapNodeRemovalEndpoints(this RouteGroupBuilder admin) =>
        admin.MapDelete("/agent-nodes/{id}", RemoveAsync);

    private static async Task<IResult> RemoveAsync(string id, bool? force, NodeRemoval removal, NodeRegistry registry, ClaimsPrincipal user, HttpContext http)
    {
        // What is placed on the node must be moved or deleted first: ?force does not lose an operator's definitions.
        if (registry.Get(id) is not null && removal.Refusal(id) is { } refusal)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: refusal);

        if (force != true && registry.Get(id) is { RunningAgents: > 0 } node)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                detail: $"node '{id}' is running {node.RunningAgents} agent(s); stop them first or remove it anyway with ?force=true");
        }

        return await removal.RemoveAsync(id, user.Identity?.Name ?? "root", http.Connection.RemoteIpAddress?.ToString(), http.RequestAborted) switch
        {
            RemovalOutcome.NotFound => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"no node '{id}'"),
            RemovalOutcome.AlreadyRemoved => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"node '{id}' is already removed"),
            RemovalOutcome.Refused => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: removal.Refusal(id)),
            _ => Results.NoContent(),
        };
    }
}
