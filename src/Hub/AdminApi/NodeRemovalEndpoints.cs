using System.Security.Claims;
using Mesh.Hub.Join;

namespace Mesh.Hub.AdminApi;

/// <summary>DELETE /api/admin/agent-nodes/{id}: removes (revokes) a node at once.</summary>
internal static class NodeRemovalEndpoints
{
    public static void MapNodeRemovalEndpoints(this RouteGroupBuilder admin) =>
        admin.MapDelete("/agent-nodes/{id}", async (string id, NodeRemovalService removal, ClaimsPrincipal user, HttpContext http) =>
            await removal.RemoveAsync(id, user.Identity?.Name ?? "root", http.Connection.RemoteIpAddress?.ToString(), http.RequestAborted) switch
            {
                RemovalOutcome.NotFound => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"no node '{id}'"),
                RemovalOutcome.AlreadyRemoved => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"node '{id}' is already removed"),
                _ => Results.NoContent(),
            });
}
