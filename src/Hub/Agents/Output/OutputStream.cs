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
/// a complete stream. Read from the hub's files, so a slow browser holds no memory on the hub: it just reads later.
/// </summary>
internal static class OutputStream
{
    public const int MaxStreams = 256;
    private const int ChunkBytes = 64 * 1024;
    private static readonly LiveGate Gate = new(MaxStreams);

    public static void MapOutputStream(this WebApplication app) =>
        app.MapGet("/ui/agents/{id}/runs/{run}/output/stream", (string id, string run, string? stream, long? from, AgentService agents, OutputFiles files,
                OutputSignal signal, TimeProvider time, HttpContext http) =>
            {
                stream ??= "stdout";
                if (stream is not ("stdout" or "stderr"))
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "stream must be stdout or stderr.");
                if (agents.Get(id) is null || !Core.Configuration.NodeIds.IsValid(run, out _))
                    return Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"agent '{DisplayText.Truncate(id)}' or its run does not exist.");
                // Last-Event-ID wins over ?from: it is where this very page got to. Garbage or negative means the start.
                var start = LiveSse.LastEventId(http.Request) is { } last ? (long)Math.Min(last, long.MaxValue) : Math.Max(0, from ?? 0);
                return LiveSse.Stream(Gate, http, () => Events(id, run, stream, start, files, signal, time, http.RequestAborted));
            })
            .RequireAuthorization(WebAuth.ViewerPolicy).ExcludeFromDescription();

    private static async IAsyncEnumerable<SseItem<string>> Events(string id, string run, string stream, long position, OutputFiles files, OutputSignal signal,
        TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
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
                    yield return new SseItem<string>("end of output", "end") { EventId = position.ToString(CultureInfo.InvariantCulture) };
                    yield break;
                }
            }

            await signal.WaitAsync(run, stream, TimeSpan.FromSeconds(5), time, cancellationToken);
        }
    }
}
