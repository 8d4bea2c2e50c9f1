using Mesh.Hub.Audit;
using Mesh.Hub.Web;

namespace Mesh.Hub.Agents;

/// <summary>
/// Worktrees over REST (root, /api/admin), relayed from the node on demand: an agent's worktree state, a file's diff,
/// its files (read-only); a node's worktrees and the explicit removal of a kept one (force: also when work is lost).
/// </summary>
internal static class AgentWorktreeEndpoints
{
    public static RouteGroupBuilder MapAgentWorktreeEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/agents/{id}/worktree", (string id, AgentWorktrees worktrees, HttpContext http) =>
            AgentEndpoints.Guard(async () => Results.Json(AgentJson.State(await worktrees.StateAsync(id, http.RequestAborted)), AdminJson.Options)));
        admin.MapGet("/agents/{id}/worktree/diff", (string id, string? path, AgentWorktrees worktrees, HttpContext http) =>
            AgentEndpoints.Guard(async () =>
            {
                var diff = await worktrees.DiffAsync(id, path ?? "", http.RequestAborted);
                return Results.Json(new { Path = path, diff.Diff, diff.Truncated, Note = Empty(diff.Note) }, AdminJson.Options);
            }));
        admin.MapGet("/agents/{id}/worktree/files", (string id, string? path, AgentWorktrees worktrees, HttpContext http) =>
            AgentEndpoints.Guard(async () =>
            {
                var files = await worktrees.FilesAsync(id, path ?? "", http.RequestAborted);
                return files.IsFile
                    ? Results.Json(new { Path = path, Kind = "file", files.Size, files.Binary, Content = files.Binary ? null : files.Content.ToStringUtf8(), files.Truncated, Note = Empty(files.Note) }, AdminJson.Options)
                    : Results.Json(new { Path = path ?? "", Kind = "folder", Entries = files.Entries.Select(e => new { e.Name, e.Dir, e.Symlink, e.Size }), files.Truncated, Note = Empty(files.Note) }, AdminJson.Options);
            }));
        admin.MapGet("/agent-nodes/{id}/worktrees", (string id, AgentWorktrees worktrees, HttpContext http) =>
            AgentEndpoints.Guard(async () => Results.Json(new { Worktrees = (await worktrees.ListAsync(id, http.RequestAborted)).Select(AgentJson.State) }, AdminJson.Options)));
        admin.MapDelete("/agent-nodes/{id}/worktrees", (string id, string path, bool? force, AgentWorktrees worktrees, IAuditLog audit, System.Security.Claims.ClaimsPrincipal user, HttpContext http) =>
            AgentEndpoints.Guard(async () =>
            {
                var message = await worktrees.RemoveAsync(id, path, force ?? false, http.RequestAborted);
                await audit.RecordAsync(user.Identity?.Name ?? "root", AuditActions.WorktreeRemoved, path, http.Connection.RemoteIpAddress?.ToString(), $"node={id} {message}", http.RequestAborted);
                return Results.Json(new { Removed = path, Message = message }, AdminJson.Options);
            }));
        return admin;
    }

    private static string? Empty(string text) => text.Length == 0 ? null : text;
}
