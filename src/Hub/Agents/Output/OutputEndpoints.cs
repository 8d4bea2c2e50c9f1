using System.Globalization;

namespace Mesh.Hub.Agents.Output;

/// <summary>
/// GET /api/admin/agents/{id}/runs/{run}/output?stream=stdout&amp;from=0&amp;limit=1048576: the raw bytes the hub
/// has from position <c>from</c> (moved past output that was dropped), with the slice's start and the stream's end,
/// dropped-before and completeness in headers — so a reader continues exactly at Mesh-Output-End. Bytes older than the
/// hub keeps are asked from the run's node while it still has them (Mesh-Output-Source: node).
/// </summary>
internal static class OutputEndpoints
{
    public static void MapOutputEndpoints(this RouteGroupBuilder admin) =>
        admin.MapGet("/agents/{id}/runs/{run}/output", ReadAsync);

    /// <summary>
    /// GET /ui/agents/{id}/runs/{run}/output/download?stream=stdout (viewers too): the whole stream the hub has, as a
    /// file, read from the hub's file slice by slice (never all in memory); Mesh-Output-Start says where it begins.
    /// </summary>
    public static void MapOutputDownload(this WebApplication app) =>
        app.MapGet("/ui/agents/{id}/runs/{run}/output/download", DownloadAsync).RequireAuthorization(Web.WebAuth.ViewerPolicy).ExcludeFromDescription();

    private static async Task DownloadAsync(string id, string run, string? stream, AgentService agents, OutputFiles files, HttpContext http)
    {
        stream ??= "stdout";
        if (stream is not ("stdout" or "stderr") || agents.Get(id) is null || !Core.Configuration.NodeIds.IsValid(run, out _) || files.State(run, stream) is not { } state || state.AgentId != id)
        {
            await Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: "no such output on the hub.").ExecuteAsync(http);
            return;
        }

        http.Response.ContentType = "application/octet-stream";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{id}-{run}-{stream}.log\"";
        http.Response.Headers["Mesh-Output-Start"] = state.DroppedBefore.ToString(CultureInfo.InvariantCulture);
        var position = state.DroppedBefore;
        while (position < state.End)
        {
            var slice = await files.ReadAsync(run, stream, position, (int)Math.Min(1 << 20, state.End - position), http.RequestAborted);
            if (slice is null || slice.Data.Length == 0)
                break;
            await http.Response.Body.WriteAsync(slice.Data, http.RequestAborted);
            position = slice.Start + slice.Data.Length;
        }
    }

    private static async Task<IResult> ReadAsync(string id, string run, string? stream, long? from, int? limit, AgentService agents, OutputFiles files, OutputFromNode nodeOutput, HttpContext http)
    {
        stream ??= "stdout";
        if (stream is not ("stdout" or "stderr"))
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "stream must be stdout or stderr.");
        if (from < 0 || limit is < 1 or > 16 << 20)
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "from must be 0 or more and limit from 1 to 16777216.");
        if (agents.Get(id) is null)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"agent '{DisplayText.Truncate(id)}' does not exist.");
        if (!Core.Configuration.NodeIds.IsValid(run, out _) || files.State(run, stream) is not { } state || state.AgentId != id)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"no output of run '{DisplayText.Truncate(run)}' of agent '{id}' on the hub (yet).");
        // Before what the hub keeps: the node may still have it.
        var fromNode = (from ?? 0) < state.DroppedBefore && agents.Get(id) is { } agent
            ? await nodeOutput.ReadAsync(agent.Definition.NodeId, run, stream, from ?? 0, limit ?? 1 << 20, state, http.RequestAborted)
            : null;
        var slice = fromNode ?? (await files.ReadAsync(run, stream, from ?? 0, limit ?? 1 << 20, http.RequestAborted))!;
        var headers = http.Response.Headers;
        headers["Mesh-Output-Source"] = fromNode is null ? "hub" : "node";
        headers["Mesh-Output-Start"] = slice.Start.ToString(CultureInfo.InvariantCulture);
        headers["Mesh-Output-End"] = (slice.Start + slice.Data.Length).ToString(CultureInfo.InvariantCulture);
        headers["Mesh-Output-Stream-End"] = slice.State.End.ToString(CultureInfo.InvariantCulture);
        headers["Mesh-Output-Dropped-Before"] = slice.State.DroppedBefore.ToString(CultureInfo.InvariantCulture);
        headers["Mesh-Output-Complete"] = slice.State.Complete && slice.Start + slice.Data.Length == slice.State.End ? "true" : "false";
        // The bytes exactly as the run wrote them, as a download: never rendered by a browser (nosniff is set for all).
        return Results.Bytes(slice.Data, "application/octet-stream", fileDownloadName: $"{id}-{run}-{stream}.log");
    }
}
