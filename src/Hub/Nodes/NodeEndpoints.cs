using System.Security.Claims;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Nodes.Sessions;
using Microsoft.AspNetCore.Routing.Patterns;
using Mesh.Hub.Web;

namespace Mesh.Hub.Nodes;

/// <summary>
/// GET/POST /api/admin/agent-nodes, GET/PUT /api/admin/agent-nodes/{id}, GET /api/admin/agent-nodes/{id}/health,
/// POST /api/admin/agent-nodes/{id}/drain.
/// DELETE (with its running-agents guard) is <see cref="NodeRemovalEndpoints"/>.
/// </summary>
public static class NodeEndpoints
{
    public static RouteGroupBuilder MapNodeEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/agent-nodes", (NodeRegistry registry) =>
        {
            var nodes = registry.List();
            return Results.Json(new NodeList(NodeRegistry.Stats(nodes), nodes.Select(NodeJson.From)), NodeApiJson.Default.NodeList);
        }).WithName("ListAgentNodes");
        admin.MapPost("/agent-nodes", CreateAsync).WithName("RegisterAgentNode").Accepts<NodeSettingsRequest>("application/json");
        admin.MapGet("/agent-nodes/{id}", (string id, NodeRegistry registry) =>
            registry.Get(id) is { } node ? Results.Json(NodeJson.From(node), NodeApiJson.Default.NodeBody) : NotFound(id)).WithName("GetAgentNode");
        admin.MapPut("/agent-nodes/{id}", UpdateAsync).WithName("UpdateAgentNode").Accepts<NodeSettingsRequest>("application/json");
        admin.MapGet("/agent-nodes/{id}/health", async (string id, NodeHealthChecker checker, CancellationToken cancellationToken) =>
            await checker.CheckAsync(id, cancellationToken) is { } report
                ? Results.Json(new NodeHealthBody(report.NodeId, NodeJson.StatusText(report.Status), report.Session, report.Grpc, report.Ok), NodeApiJson.Default.NodeHealthBody)
                : NotFound(id)).WithName("CheckAgentNodeHealth");
        admin.MapPost("/agent-nodes/{id}/drain", DrainAsync).WithName("DrainAgentNode").Accepts<DrainRequest>("application/json");
        return admin;
    }

    internal static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"no node '{id}'");

    private static async Task<IResult> CreateAsync(HttpContext http, NodeAdministration admin, ClaimsPrincipal user)
    {
        var (request, errors) = await NodeRequestValidation.ReadAsync(http.Request);
        if (errors is not null)
            return Results.ValidationProblem(errors);
        errors = NodeRequestValidation.Validate(request!, requireId: true);
        if (errors.Count > 0)
            return Results.ValidationProblem(errors);
        var (outcome, node) = await admin.RegisterAsync(ToSettings(request!, request!.Id!), Actor(user), Source(http), http.RequestAborted);
        return outcome == NodeWriteOutcome.Duplicate
            ? Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"node '{request.Id}' already exists; use PUT /api/admin/agent-nodes/{request.Id} to change it")
            : Results.Json(NodeJson.From(node!), NodeApiJson.Default.NodeBody, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, NodeAdministration admin, ClaimsPrincipal user)
    {
        var (request, errors) = await NodeRequestValidation.ReadAsync(http.Request);
        if (errors is not null)
            return Results.ValidationProblem(errors);
        errors = NodeRequestValidation.Validate(request!, requireId: false);
        if (request!.Id is not null && !string.Equals(request.Id, id, StringComparison.Ordinal))
            errors["id"] = [$"'{request.Id}' differs from the node in the URL ('{id}'); ids cannot change"];
        if (errors.Count > 0)
            return Results.ValidationProblem(errors);
        var (outcome, node) = await admin.UpdateAsync(ToSettings(request, id), Actor(user), Source(http), http.RequestAborted);
        return outcome == NodeWriteOutcome.NotFound ? NotFound(id) : Results.Json(NodeJson.From(node!), NodeApiJson.Default.NodeBody);
    }

    /// <summary>Body of POST /api/admin/agent-nodes/{id}/drain: true stops new work on the node, false lifts it.</summary>
    public sealed record DrainRequest(bool Drain = true);

    private static async Task<IResult> DrainAsync(string id, DrainRequest? body, NodeRegistry registry, NodeSessionManager sessions, Audit.IAuditLog audit, ClaimsPrincipal user, HttpContext http)
    {
        if (registry.Get(id) is null)
            return NotFound(id);
        var drain = body?.Drain ?? true;
        try
        {
            var result = await sessions.SendAsync(id, new Core.Protocol.NodeCommand { Drain = new Core.Protocol.DrainCommand { Drain = drain } }, TimeSpan.FromSeconds(10), http.RequestAborted);
            if (!result.Ok)
                return Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Bad Gateway", detail: $"node '{id}' refused: {result.Error}");
            await audit.RecordAsync(Actor(user), drain ? "node.drained" : "node.undrained", id, Source(http), null, http.RequestAborted);
            return Results.Json(new NodeDrainBody(id, result.Drain?.Draining ?? drain), NodeApiJson.Default.NodeDrainBody);
        }
        catch (SessionCommandException ex)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: ex.Message);
        }
    }

    internal static NodeSettings ToSettings(NodeSettingsRequest request, string id) =>
        new(id, Blank(request.Name), Blank(request.GrpcTarget)?.TrimEnd('/'), Blank(request.TlsServerName), Blank(request.DefaultWorktreeRoot), request.Labels);

    internal static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "root";

    internal static string? Source(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>The request bodies the minimal API binds itself (snake_case, unknown fields refused: the JSON options of AddAdminApi), source-generated for Native AOT.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower, UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
[System.Text.Json.Serialization.JsonSerializable(typeof(NodeEndpoints.DrainRequest))]
internal sealed partial class NodeBodyJson : System.Text.Json.Serialization.JsonSerializerContext;
