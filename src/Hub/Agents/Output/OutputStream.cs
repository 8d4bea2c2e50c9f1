using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Mesh.Hub.Live;
using Mesh.Hub.Web;

namespace Mesh.Hub.Agents.Output;

/// <summary>
/// GET /ui/agents/{id}/runs/{run}/output/stream?stream=stdout: a run's output for the agent page, by position. Each
/// "chunk" event carries base64 bytes and, as its id, the position after them, so a browser that reconnects (its
/// EventSource sends Last-Event-ID) continues exactly there; "dropped" says from where output was lost; "end" closes
/// a complete stream, its data how the run ended as plain text ("exited, code 3"; the page adds it as a text node) —
/// it waits for the run's exit status when the output is complete before the status arrived. Read from the hub's files, so a slow browser holds no memory on the hub: it just reads later.
/// </summary>
internal static class OutputStream
{
    public const int MaxStreams = 256;
    public const int MaxStreamsPerUser = 32;
    private const int ChunkBytes = 64 * 1024;
    private static readonly LiveGate Gate = new(MaxStreams);

    public static void MapOutputStream(this WebApplication app) =>
        app.MapGet("/ui/agents/{id}/runs/{run}/output/stream", (string id, string run, string? stream, long? from, AgentService agents, OutputFiles files,
                OutputSignal signal, OutputReaders readers, TimeProvider time, HttpContext http) =>
            {
                stream ??= "stdout";
                if (stream is not ("stdout" or "stderr"))
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "stream must be stdout or stderr.");
                if (StartPosition(http.Request, from) is not { } start)
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest,
                        detail: "Last-Event-ID and from must be a position: a whole number of bytes, 0 or more.");
                if (agents.Get(id) is null || !Core.Configuration.NodeIds.IsValid(run, out _))
                    return Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"agent '{DisplayText.Truncate(id)}' or its run does not exist.");
                if (readers.TryEnter(http.User.Identity?.Name ?? "") is not { } place)
                {
                    http.Response.Headers.RetryAfter = LiveSse.RetryAfterSeconds;
                    return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests,
                        detail: $"you have {MaxStreamsPerUser} output streams open already: close some first.");
                }

                http.Response.RegisterForDispose(place);
                return LiveSse.Stream(Gate, http, () => Events(id, run, stream, start, files, agents, signal, time, http.RequestAborted));
            })
            .RequireAuthorization(WebAuth.ViewerPolicy).ExcludeFromDescription();

    /// <summary>
    /// Where to start: Last-Event-ID (where this very page got to) wins over ?from; either must be a position. A position
    /// beyond the stream's end is kept: it is where the reader says it is, and output continues from there.
    /// </summary>
    private static long? StartPosition(HttpRequest request, long? from)
    {
        var last = request.Headers["Last-Event-ID"].ToString();
        if (last.Length > 0)
            return long.TryParse(last, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out var position) ? position : null;
        return from is null or >= 0 ? from ?? 0 : null;
    }

    private static async IAsyncEnumerable<SseItem<string>> Events(string id, string run, string stream, long position, OutputFiles files, AgentService agents,
        OutputSignal signal, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var announcedDrop = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var slice = files.State(run, stream) is { } state && state.AgentId == id
                ? await files.ReadAsync(run, stream, position, ChunkBytes, cancellationToken)
                : null;
            if (slice is not null)
            {
                if (slice.Start > position && !announcedDrop)
                {
                    yield return new SseItem<string>(slice.Start.ToString(CultureInfo.InvariantCulture), "dropped");
                    announcedDrop = true;
                }

                if (slice.Data.Length > 0)
                {
                    position = slice.Start + slice.Data.Length;
                    yield return new SseItem<string>(Convert.ToBase64String(slice.Data), "chunk") { EventId = position.ToString(CultureInfo.InvariantCulture) };
                    continue;
                }

                position = Math.Max(position, slice.Start);
                if (slice.State.Complete && position >= slice.State.End)
                {
                    // The node sends a run's last output and its exit status on different lanes: wait for the status
                    // of a run the hub knows is running; a run it has no record of just ends.
                    var record = await agents.RunAsync(id, run, cancellationToken);
                    if (record is { Exit: null })
                    {
                        await signal.WaitForAgentAsync(id, TimeSpan.FromSeconds(5), time, cancellationToken);
                        continue;
                    }

                    var end = record?.Exit is { } exit ? AgentHtml.ExitText(exit) : "end of output";
                    yield return new SseItem<string>(end, "end") { EventId = slice.State.End.ToString(CultureInfo.InvariantCulture) };
                    yield break;
                }
            }

            await signal.WaitAsync(run, stream, TimeSpan.FromSeconds(5), time, cancellationToken);
        }
    }
}
