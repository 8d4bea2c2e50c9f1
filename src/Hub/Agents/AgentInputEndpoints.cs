using System.Security.Claims;
using Mesh.Hub.Web;

namespace Mesh.Hub.Agents;

/// <summary>
/// POST /api/admin/agents/{id}/input — bytes for the running run's stdin: a JSON body {"text": "…"} or {"base64": "…"}
/// (with an optional "run"), or the raw bytes as application/octet-stream (?run=). POST /api/admin/agents/{id}/resize
/// {"cols": 120, "rows": 32} for a tty run. Root only (the admin group); input is audited. With the UI cookie, these
/// take only JSON or octet-stream bodies, which a cross-site form cannot send (no CSRF without a CORS preflight).
/// </summary>
internal static class AgentInputEndpoints
{
    public sealed record InputRequest(string? Text = null, string? Base64 = null, string? Run = null);

    public sealed record ResizeRequest(int Cols = 0, int Rows = 0, string? Run = null);

    public static void MapAgentInputEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPost("/agents/{id}/input", (string id, string? run, AgentInput input, ClaimsPrincipal user, HttpContext http) => AgentEndpoints.Guard(async () =>
        {
            var (data, runId) = await ReadInputAsync(http, run);
            var outcome = await input.WriteAsync(id, runId, data, user.Identity?.Name ?? "root", http.Connection.RemoteIpAddress?.ToString(), http.RequestAborted);
            return Results.Json(new { outcome.RunId, outcome.Written }, AdminJson.Options);
        }));
        admin.MapPost("/agents/{id}/resize", (string id, AgentInput input, HttpContext http) => AgentEndpoints.Guard(async () =>
        {
            var body = await AgentEndpoints.ReadJsonAsync<ResizeRequest>(http);
            var outcome = await input.ResizeAsync(id, body.Run, body.Cols, body.Rows, http.RequestAborted);
            return Results.Json(new { outcome.RunId, body.Cols, body.Rows }, AdminJson.Options);
        }));
    }

    private static async Task<(byte[] Data, string? Run)> ReadInputAsync(HttpContext http, string? run)
    {
        if (http.Request.ContentType?.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase) == true)
        {
            if (http.Request.ContentLength > AgentInput.MaxBytes)
                throw new AgentException(AgentError.InvalidArgument, $"input of {http.Request.ContentLength} bytes is over the limit of {AgentInput.MaxBytes} bytes per write.");
            using var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
            {
                if (buffer.Length + read > AgentInput.MaxBytes)
                    throw new AgentException(AgentError.InvalidArgument, $"input is over the limit of {AgentInput.MaxBytes} bytes per write.");
                buffer.Write(chunk, 0, read);
            }

            return (buffer.ToArray(), run);
        }

        var body = await AgentEndpoints.ReadJsonAsync<InputRequest>(http);
        if ((body.Text is null) == (body.Base64 is null))
            throw new AgentException(AgentError.InvalidArgument, "send exactly one of \"text\" (UTF-8) and \"base64\" (bytes).", "text");
        if (body.Text is not null)
            return (System.Text.Encoding.UTF8.GetBytes(body.Text), body.Run ?? run);
        try
        {
            return (Convert.FromBase64String(body.Base64!), body.Run ?? run);
        }
        catch (FormatException)
        {
            throw new AgentException(AgentError.InvalidArgument, "base64 is not valid base64.", "base64");
        }
    }
}
