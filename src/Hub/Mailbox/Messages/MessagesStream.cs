using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Mesh.Core.Protocol;
using Mesh.Hub.Live;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Web;

namespace Mesh.Hub.Mailbox.Messages;

/// <summary>
/// Live updates of the Mailboxes pages as HTML fragments for htmx's SSE extension, read from <see cref="MessagesFeed"/>:
/// <list type="bullet">
/// <item>GET /ui/mailboxes/stream: "pending-&lt;actor&gt;" (one actor's pending count) when it changes.</item>
/// <item>GET /ui/mailboxes/{actorId}/stream?after=N: "message" (one inbox row, SSE id = message id, so the browser's
/// reconnect resumes with Last-Event-ID from the store), "pending" (the count) and "status" (rows acked since).</item>
/// </list>
/// An inbox stream that falls a whole feed behind ends; its browser reconnects with Last-Event-ID and reads the rest
/// from the store. Acks raise no event, so counts are also re-checked every <see cref="MailboxStreams.RecheckInterval"/>.
/// </summary>
internal static class MessagesStream
{
    /// <summary>Most missed messages a (re)connecting inbox stream replays: as many as the page shows.</summary>
    public const int BacklogLimit = 100;

    /// <summary>Most pending rows an inbox stream keeps an eye on for acks (the newest).</summary>
    private const int MaxWatchedRows = 200;

    public static void MapMessagesStreams(this WebApplication app)
    {
        app.MapGet("/ui/mailboxes/stream", (MessageService messages, ActorService actors, MessagesFeed feed, MailboxStreams streams, TimeProvider time, HttpContext http) =>
            LiveSse.Stream(feed.Feed, http, subscription => PendingCountEvents(messages, actors, subscription, streams.RecheckInterval, time, http.RequestAborted)))
            .RequireAuthorization(WebAuth.ViewerPolicy).ExcludeFromDescription();

        app.MapGet("/ui/mailboxes/{actorId}/stream", (string actorId, ulong? after, MessageService messages, ActorService actors, MessagesFeed feed, MailboxStreams streams, TimeProvider time, HttpContext http) =>
        {
            if (actors.Find(actorId) is null)
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"no actor '{actorId}'");
            var resume = LiveSse.LastEventId(http.Request) is { } lastSeen ? Math.Max(lastSeen, after ?? 0) : after ?? 0;
            return LiveSse.Stream(feed.Feed, http, subscription => InboxEvents(messages, subscription, actorId, resume, streams.RecheckInterval, time, http.RequestAborted));
        }).RequireAuthorization(WebAuth.ViewerPolicy).ExcludeFromDescription();
    }

    private static async IAsyncEnumerable<SseItem<string>> InboxEvents(MessageService messages, LiveSubscription<string> subscription, string actorId, ulong after,
        TimeSpan recheck, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (subscription)
        {
            // Subscribed before the backlog is read: nothing committed in between is missed (duplicates are skipped by id).
            // The backlog is the newest messages after the resume point, at most a page's worth: a browser that missed
            // more sees the rest on reload.
            var last = after;
            var backlog = await ReadAsync(() => messages.LatestMessagesAsync(actorId, BacklogLimit, cancellationToken));
            if (backlog is null)
                yield break;
            foreach (var message in backlog.Where(m => m.Id > after).OrderBy(m => m.Id))
            {
                last = message.Id;
                yield return Message(message);
            }

            // Pending rows the page shows: when the count changes, those acked since are re-sent as delivered.
            var watched = new SortedSet<ulong>(backlog.Where(m => m.Status == MessageStatus.Pending).Select(m => m.Id));
            long? pending = null;
            while (!cancellationToken.IsCancellationRequested)
            {
                var count = await ReadAsync(() => messages.CountPendingAsync(actorId, cancellationToken));
                if (count is null)
                    yield break;
                if (count != pending)
                {
                    pending = count;
                    yield return LiveSse.Html("pending", count.Value.ToString(CultureInfo.InvariantCulture));
                    var delivered = await NewlyDeliveredAsync(messages, actorId, watched, cancellationToken);
                    if (delivered is null)
                        yield break;
                    if (delivered.Count > 0)
                        yield return LiveSse.Html("status", string.Concat(delivered.Select(m => MessageHtml.MessageRow(m, outOfBand: true))));
                }

                var batch = await ReadAsync(() => subscription.NextAsync(recheck, time, cancellationToken).AsTask());
                // Cancelled, or fell a whole feed behind: the browser reconnects with Last-Event-ID and reads the rest from the store.
                if (batch is null || batch.DroppedBefore is not null)
                    yield break;
                if (!batch.Items.Any(i => i.Value == actorId && (ulong)i.Position > last))
                    continue;
                var arrived = await ReadAsync(() => messages.ReadAfterAsync(actorId, last, MessageService.MaxInboxLimit, cancellationToken));
                if (arrived is null)
                    yield break;
                foreach (var message in arrived)
                {
                    last = message.Id;
                    if (message.Status == MessageStatus.Pending)
                        watched.Add(message.Id);
                    if (watched.Count > MaxWatchedRows)
                        watched.Remove(watched.Min);
                    yield return Message(message);
                }
            }
        }
    }

    private static async IAsyncEnumerable<SseItem<string>> PendingCountEvents(MessageService messages, ActorService actors, LiveSubscription<string> subscription, TimeSpan recheck,
        TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (subscription)
        {
            var shown = new Dictionary<string, long>(StringComparer.Ordinal);
            while (!cancellationToken.IsCancellationRequested)
            {
                var counts = await ReadAsync(() => messages.CountPendingByActorAsync(cancellationToken));
                if (counts is null)
                    yield break;
                foreach (var actor in actors.List())
                {
                    var count = counts.GetValueOrDefault(actor.Id);
                    if (shown.TryGetValue(actor.Id, out var before) && before == count)
                        continue;
                    shown[actor.Id] = count;
                    yield return LiveSse.Html("pending-" + actor.Id, count.ToString(CultureInfo.InvariantCulture));
                }

                // Any commit (or the recheck interval) re-counts; what was committed does not matter here.
                if (await ReadAsync(() => subscription.NextAsync(recheck, time, cancellationToken).AsTask()) is null)
                    yield break;
            }
        }
    }

    /// <summary>The watched messages now delivered (removed from <paramref name="watched"/>); null when cancelled.</summary>
    private static async Task<List<MailboxMessage>?> NewlyDeliveredAsync(MessageService messages, string actorId, SortedSet<ulong> watched, CancellationToken cancellationToken)
    {
        if (watched.Count == 0)
            return [];
        var window = await ReadAsync(() => messages.ReadAfterAsync(actorId, watched.Min - 1, MessageService.MaxInboxLimit, cancellationToken));
        if (window is null)
            return null;
        var delivered = window.Where(m => m.Status == MessageStatus.Delivered && watched.Contains(m.Id)).ToList();
        foreach (var message in delivered)
            watched.Remove(message.Id);
        return delivered;
    }

    /// <summary>Runs a read; null when the stream was cancelled meanwhile (the client left).</summary>
    private static async Task<T?> ReadAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<long?> ReadAsync(Func<Task<long>> read)
    {
        try
        {
            return await read();
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static SseItem<string> Message(MailboxMessage message) =>
        LiveSse.Html("message", MessageHtml.MessageRow(message), message.Id.ToString(CultureInfo.InvariantCulture));
}
