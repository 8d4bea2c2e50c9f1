using System.Net.ServerSentEvents;

namespace Mesh.Hub.Live;

/// <summary>Server-Sent Events for live pages and APIs: the open-or-refuse step, Last-Event-ID, and events that carry HTML.</summary>
public static class LiveSse
{
    /// <summary>Seconds a refused client waits before it tries again.</summary>
    public const string RetryAfterSeconds = "5";

    /// <summary>
    /// Subscribes to <paramref name="feed"/> and streams what <paramref name="events"/> makes of it, or answers 503 with
    /// Retry-After when the feed's gate is full (<paramref name="refused"/>: the body of that answer, none by default).
    /// </summary>
    public static IResult Stream<T>(LiveFeed<T> feed, HttpContext http, Func<LiveSubscription<T>, IAsyncEnumerable<SseItem<string>>> events, long? after = null, IResult? refused = null)
    {
        var subscription = feed.TrySubscribe(after);
        if (subscription is null)
            return Refuse(http, refused);
        http.Response.RegisterForDispose(subscription); // also released if the body never starts
        return TypedResults.ServerSentEvents(events(subscription));
    }

    /// <summary>Takes a place at <paramref name="gate"/> for a stream that reads no feed of its own, or answers 503 with Retry-After.</summary>
    public static IResult Stream(LiveGate gate, HttpContext http, Func<IAsyncEnumerable<SseItem<string>>> events, IResult? refused = null)
    {
        var lease = gate.TryEnter();
        if (lease is null)
            return Refuse(http, refused);
        http.Response.RegisterForDispose(lease);
        return TypedResults.ServerSentEvents(events());
    }

    /// <summary>The position a reconnecting browser last saw (its Last-Event-ID header), if it sent a number.</summary>
    public static ulong? LastEventId(HttpRequest request) =>
        ulong.TryParse(request.Headers["Last-Event-ID"], out var id) ? id : null;

    /// <summary>An event whose data is an HTML fragment (SSE data holds no raw newlines; the fragments are whitespace-insensitive).</summary>
    public static SseItem<string> Html(string type, string html, string? id = null) =>
        new(html.ReplaceLineEndings(" "), type) { EventId = id };

    private static IResult Refuse(HttpContext http, IResult? refused)
    {
        http.Response.Headers.RetryAfter = RetryAfterSeconds;
        return refused ?? Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
    }
}
