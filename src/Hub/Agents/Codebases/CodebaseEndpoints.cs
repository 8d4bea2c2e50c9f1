using Mesh.Hub.Web;

namespace Mesh.Hub.Agents.Codebases;

/// <summary>/api/admin/codebases: create, list, one, bind to a node, unbind, delete (root).</summary>
internal static class CodebaseEndpoints
{
    public static RouteGroupBuilder MapCodebaseEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/codebases", (CodebaseRegistry codebases) => Results.Json(new { Codebases = codebases.List().Select(Json) }, AdminJson.Options));
        admin.MapGet("/codebases/{name}", (string name, CodebaseRegistry codebases) => AgentEndpoints.Guard(() =>
            Task.FromResult(Results.Json(Json(codebases.Find(name) ?? throw new AgentException(AgentError.NotFound, $"codebase '{DisplayText.Truncate(name)}' does not exist.")), AdminJson.Options))));
        admin.MapPost("/codebases", (CodebaseRegistry codebases, HttpContext http) => AgentEndpoints.Guard(async () =>
        {
            var body = await AgentEndpoints.ReadJsonAsync<CodebaseRequest>(http);
            return Results.Json(Json(await codebases.CreateAsync(body, http.RequestAborted)), AdminJson.Options, statusCode: StatusCodes.Status201Created);
        }));
        admin.MapPut("/codebases/{name}/nodes/{node}", (string name, string node, CodebaseRegistry codebases, HttpContext http) => AgentEndpoints.Guard(async () =>
        {
            var body = await AgentEndpoints.ReadJsonAsync<CodebaseBindRequest>(http);
            return Results.Json(Json(await codebases.BindNodeAsync(name, node, body.Path, http.RequestAborted)), AdminJson.Options);
        }));
        admin.MapDelete("/codebases/{name}/nodes/{node}", (string name, string node, CodebaseRegistry codebases, HttpContext http) => AgentEndpoints.Guard(async () =>
            Results.Json(Json(await codebases.UnbindNodeAsync(name, node, http.RequestAborted)), AdminJson.Options)));
        admin.MapDelete("/codebases/{name}", (string name, CodebaseRegistry codebases, HttpContext http) => AgentEndpoints.Guard(async () =>
        {
            await codebases.DeleteAsync(name, http.RequestAborted);
            return Results.NoContent();
        }));
        return admin;
    }

    private static object Json(Codebase c) => new { c.Name, Nodes = c.Paths.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(), c.CreatedAt };
}
