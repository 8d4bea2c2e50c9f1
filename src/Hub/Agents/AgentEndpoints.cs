using System.Security.Claims;
using Mesh.Hub.Web;

namespace Mesh.Hub.Agents;

/// <summary>/api/admin/agents (root, on the /api/admin group) and POST /api/admin/agent-nodes/{id}/restart.</summary>
internal static class AgentEndpoints
{
    public static RouteGroupBuilder MapAgentEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/agents", (AgentService agents) => Results.Json(new { Agents = agents.List().Select(AgentJson.Of) }, AdminJson.Options));
        admin.MapPost("/agents", CreateAsync);
        admin.MapGet("/agents/{id}", (string id, AgentService agents) =>
            agents.Get(id) is { } agent ? Results.Json(AgentJson.Of(agent), AdminJson.Options) : Problem(new AgentException(AgentError.NotFound, $"agent '{DisplayText.Truncate(id)}' does not exist.")));
        admin.MapPatch("/agents/{id}", UpdateAsync);
        admin.MapDelete("/agents/{id}", (string id, AgentService agents, ClaimsPrincipal user, HttpContext http) =>
            Guard(async () =>
            {
                var worktree = await agents.DeleteAsync(id, Actor(user), Source(http), http.RequestAborted);
                return worktree is null ? Results.NoContent() : Results.Json(new { Worktree = worktree }, AdminJson.Options);
            }));
        admin.MapPost("/agents/{id}/start", (string id, AgentService agents, ClaimsPrincipal user, HttpContext http) =>
            Guard(async () => Results.Json(AgentJson.Of(await agents.StartAsync(id, Actor(user), Source(http), http.RequestAborted)), AdminJson.Options)));
        admin.MapPost("/agents/{id}/stop", (string id, AgentService agents, ClaimsPrincipal user, HttpContext http) =>
            Guard(async () => Results.Json(AgentJson.Of(await agents.StopAsync(id, Actor(user), Source(http), http.RequestAborted)), AdminJson.Options)));
        admin.MapPost("/agents/{id}/restart", (string id, AgentService agents, ClaimsPrincipal user, HttpContext http) =>
            Guard(async () => Results.Json(AgentJson.Of(await agents.RestartAsync(id, Actor(user), Source(http), http.RequestAborted)), AdminJson.Options)));
        admin.MapPost("/agents/{id}/kill", (string id, AgentService agents, ClaimsPrincipal user, HttpContext http) =>
            Guard(async () => Results.Json(AgentJson.Of(await agents.KillAsync(id, Actor(user), Source(http), http.RequestAborted)), AdminJson.Options)));
        admin.MapPost("/agents/{id}/scale", ScaleAsync);
        admin.MapGet("/agents/{id}/replicas/{name}/messages", (string id, string name, int? limit, Replicas.ReplicaService replicas, HttpContext http) =>
            Guard(async () =>
            {
                var (replica, messages) = await replicas.ArchiveAsync(id, name, limit ?? 100, http.RequestAborted);
                return Results.Json(new { Replica = replica.Name, replica.State, Messages = messages.Select(Mailbox.Messages.MessageEndpoints.MessageJson) }, AdminJson.Options);
            }));
        admin.MapGet("/agents/{id}/conversations", (string id, int? limit, AgentService agents, Conversations.AgentRouter conversations, HttpContext http) =>
            Guard(async () =>
            {
                if (agents.Get(id) is null)
                    throw new AgentException(AgentError.NotFound, $"agent '{DisplayText.Truncate(id)}' does not exist.");
                var list = await conversations.ListAsync(id, Math.Clamp(limit ?? 100, 1, 1000), http.RequestAborted);
                return Results.Json(new { Conversations = list.Select(c => new { c.ConversationId, c.Replica, c.Messages, c.Moves, c.LeaseUntil, c.CreatedAt, c.UpdatedAt }) }, AdminJson.Options);
            }));
        admin.MapGet("/agents/{id}/runs", (string id, int? limit, AgentService agents, HttpContext http) =>
            Guard(async () => Results.Json(new { Runs = (await agents.RunsAsync(id, limit ?? 50, http.RequestAborted)).Select(AgentJson.Run) }, AdminJson.Options)));
        admin.MapPost("/agent-nodes/{id}/restart", (string id, AgentService agents, ClaimsPrincipal user, HttpContext http) =>
            Guard(async () => Results.Json(new { Restarted = (await agents.RestartNodeAsync(id, Actor(user), Source(http), http.RequestAborted)).Select(a => a.Definition.Id) }, AdminJson.Options)));
        admin.MapAgentWorktreeEndpoints();
        admin.MapAgentScheduleEndpoints();
        return admin;
    }

    private static Task<IResult> CreateAsync(AgentService agents, ClaimsPrincipal user, HttpContext http) => Guard(async () =>
    {
        var body = await ReadAsync(http);
        var agent = await agents.CreateAsync(body, Actor(user), Source(http), http.RequestAborted);
        return Results.Json(AgentJson.Of(agent), AdminJson.Options, statusCode: StatusCodes.Status201Created);
    });

    private static Task<IResult> ScaleAsync(string id, AgentService agents, Replicas.ReplicaService replicas, ClaimsPrincipal user, HttpContext http) => Guard(async () =>
    {
        ScaleRequest body;
        try
        {
            body = await http.Request.ReadFromJsonAsync<ScaleRequest>(AgentJson.Strict, http.RequestAborted)
                ?? throw new AgentException(AgentError.InvalidArgument, "send {\"replicas\": N}.", "replicas");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new AgentException(AgentError.InvalidArgument, "send {\"replicas\": N} with N a whole number from 1 to " + replicas.MaxReplicas + ": " + ex.Message, "replicas");
        }
        catch (InvalidOperationException ex)
        {
            throw new AgentException(AgentError.InvalidArgument, "send a JSON body with content-type application/json: " + ex.Message);
        }

        await replicas.ScaleAsync(id, body.Replicas ?? throw new AgentException(AgentError.InvalidArgument, "send {\"replicas\": N}.", "replicas"),
            Actor(user), Source(http), http.RequestAborted);
        return Results.Json(AgentJson.Of(agents.Get(id)!), AdminJson.Options);
    });

    private sealed record ScaleRequest(int? Replicas);

    private static Task<IResult> UpdateAsync(string id, AgentService agents, ClaimsPrincipal user, HttpContext http) => Guard(async () =>
    {
        var body = await ReadAsync(http);
        return Results.Json(AgentJson.Of(await agents.UpdateAsync(id, body, Actor(user), Source(http), http.RequestAborted)), AdminJson.Options);
    });

    private static Task<AgentRequest> ReadAsync(HttpContext http) => ReadJsonAsync<AgentRequest>(http);

    /// <summary>A JSON body in the strict snake_case shape; an <see cref="AgentException"/> (400) for anything else.</summary>
    internal static async Task<T> ReadJsonAsync<T>(HttpContext http) where T : class
    {
        try
        {
            return await http.Request.ReadFromJsonAsync<T>(AgentJson.Strict, http.RequestAborted)
                ?? throw new AgentException(AgentError.InvalidArgument, "send a JSON object.");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new AgentException(AgentError.InvalidArgument, "the request body is not valid JSON: " + ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            throw new AgentException(AgentError.InvalidArgument, "send a JSON body with content-type application/json: " + ex.Message);
        }
    }

    internal static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (AgentException ex)
        {
            return Problem(ex);
        }
    }

    internal static IResult Problem(AgentException ex) => ex.Error switch
    {
        AgentError.InvalidArgument when ex.Field is not null => Results.ValidationProblem(new Dictionary<string, string[]> { [ex.Field] = [ex.Message] }, detail: ex.Message),
        AgentError.InvalidArgument => Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: ex.Message),
        AgentError.NotFound => Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: ex.Message),
        AgentError.Unavailable => Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, detail: ex.Message),
        _ => Results.Problem(statusCode: StatusCodes.Status409Conflict, detail: ex.Message),
    };

    private static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "root";

    private static string? Source(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();
}
