using System.Globalization;

namespace Mesh.Hub.Agents.Output;

/// <summary>
/// GET /api/admin/agents/{id}/runs/{run}/output?stream=stdout&amp;from=0&amp;limit=1048576: the raw bytes the hub
/// has from position <c>from</c> (moved past output that was dropped), with the slice's start and the stream's end,
/// dropped-before and completeness in headers — so a reader continues exactly at Mesh-Output-End.
/// </summary>
internal static class OutputEndpoints
{
    public static void MapOutputEndpoints(this RouteGroupBuilder admin) =>
        admin.MapGet("/agents/{id}/runs/{run}/output", ReadAsync);

    private static async Task<IResult> ReadAsync(string id, string run, string? stream, long? from, int? limit, AgentService agents, OutputFiles files, HttpContext http)
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
        var slice = (await files.ReadAsync(run, stream, from ?? 0, limit ?? 1 << 20, http.RequestAborted))!;
        var headers = http.Response.Headers;
        headers["Mesh-Output-Start"] = slice.Start.ToString(CultureInfo.InvariantCulture);
        headers["Mesh-Output-End"] = (slice.Start + slice.Data.Length).ToString(CultureInfo.InvariantCulture);
        headers["Mesh-Output-Stream-End"] = slice.State.End.ToString(CultureInfo.InvariantCulture);
        headers["Mesh-Output-Dropped-Before"] = slice.State.DroppedBefore.ToString(CultureInfo.InvariantCulture);
        headers["Mesh-Output-Complete"] = slice.State.Complete && slice.Start + slice.Data.Length == slice.State.End ? "true" : "false";
        // The bytes exactly as the run wrote them, as a download: never rendered by a browser (nosniff is set for all).
        return Results.Bytes(slice.Data, "application/octet-stream", fileDownloadName: $"{id}-{run}-{stream}.log");
    }
}
