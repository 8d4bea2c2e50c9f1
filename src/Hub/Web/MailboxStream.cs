using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox;
using Mesh.Hub.Web.Rendering;
using Microsoft.AspNetCore.Antiforgery;

namespace Mesh.Hub.Web;

/// <summary>
/// Live updates of the Mailboxes and Reviews pages as HTML fragments for htmx's SSE extension:
/// <list type="bullet">
/// <item>GET /ui/mailboxes/stream: "pending-&lt;actor&gt;" (one actor's pending count) when it changes.</item>
/// <item>GET /ui/mailboxes/{actorId}/stream?after=N: "message" (one inbox row, SSE id = message id, so the browser's
/// reconnect resumes with Last-Event-ID from the store) and "pending" (the count).</item>
/// <item>GET /ui/reviews/stream: "pending" and "closed" (both review lists) when they change.</item>
/// </list>
/// Bounded: each inbox stream holds the notifier's per-subscriber buffer at most, and <see cref="MailboxStreamGate"/>
/// caps the number of open streams (503 with Retry-After beyond it). Acks raise no event, so counts are also
/// re-checked every <see cref="MailboxStreamGate.RecheckInterval"/>.
/// </summary>
internal static class MailboxStream
{
    /// <summary>Most missed messages a (re)connecting inbox stream replays: as many as the page shows.</summary>
    public const int BacklogLimit = 100;

    /// <summary>Most pending rows an inbox stream keeps an eye on for acks (the newest).</summary>
    private const int MaxWatchedRows = 200;

    public static void MapMailboxStreams(this WebApplication app)
    {
        app.MapGet("/ui/mailboxes/stream", (MailboxService mailbox, MailboxStreamGate gate, TimeProvider time, HttpContext http) =>
            Open(gate, http, lease => PendingCountEvents(mailbox, lease, gate.RecheckInterval, time, http.RequestAborted)))
            .RequireAuthorization(WebAuth.ViewerPolicy).ExcludeFromDescription();

        app.MapGet("/ui/mailboxes/{actorId}/stream", (string actorId, ulong? after, MailboxService mailbox, MailboxNotifier notifier, MailboxStreamGate gate, TimeProvider time, HttpContext http) =>
        {
            if (mailbox.Store.FindActor(actorId) is null)
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"no actor '{actorId}'");
            var resume = ulong.TryParse(http.Request.Headers["Last-Event-ID"], out var lastSeen) ? Math.Max(lastSeen, after ?? 0) : after ?? 0;
            return Open(gate, http, lease => InboxEvents(mailbox, notifier, actorId, resume, lease, gate.RecheckInterval, time, http.RequestAborted));
        }).RequireAuthorization(WebAuth.ViewerPolicy).ExcludeFromDescription();

        app.MapGet("/ui/reviews/stream", (MailboxService mailbox, MailboxStreamGate gate, IAntiforgery antiforgery, TimeProvider time, HttpContext http) =>
        {
            // The answer forms carry the request token so they also post without htmx; taken before the body starts.
            var token = antiforgery.GetAndStoreTokens(http).RequestToken ?? string.Empty;
            var isRoot = http.User.IsInRole(Mesh.Hub.AdminApi.AdminRoles.Root);
            return Open(gate, http, lease => ReviewEvents(mailbox, isRoot, token, lease, gate.RecheckInterval, time, http.RequestAborted));
        }).RequireAuthorization(WebAuth.ViewerPolicy).ExcludeFromDescription();
    }

    private static IResult Open(MailboxStreamGate gate, HttpContext http, Func<MailboxStreamGate.Lease, IAsyncEnumerable<SseItem<string>>> events)
    {
        var lease = gate.TryEnter();
        if (lease is null)
        {
            http.Response.Headers.RetryAfter = "5";
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        http.Response.RegisterForDispose(lease); // also released if the body never starts
        return TypedResults.ServerSentEvents(events(lease));
    }

    private static async IAsyncEnumerable<SseItem<string>> InboxEvents(MailboxService mailbox, MailboxNotifier notifier, string actorId, ulong after, MailboxStreamGate.Lease lease,
        TimeSpan recheck, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (lease)
        using (var subscription = notifier.Subscribe(actorId))
        {
            // Subscribed before the backlog is read: nothing committed in between is missed (duplicates are skipped by id).
            // The backlog is the newest messages after the resume point, at most a page's worth: a browser that missed
            // more sees the rest on reload.
            var last = after;
            var backlog = await ReadBacklogAsync(mailbox, actorId, cancellationToken);
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
            var live = subscription.Reader;
            Task<bool>? arrival = null;
            while (!cancellationToken.IsCancellationRequested)
            {
                var count = await CountPendingAsync(mailbox, actorId, cancellationToken);
                if (count is null)
                    yield break;
                if (count != pending)
                {
                    pending = count;
                    yield return Item("pending", count.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    var delivered = await NewlyDeliveredAsync(mailbox, actorId, watched, cancellationToken);
                    if (delivered is null)
                        yield break;
                    if (delivered.Count > 0)
                        yield return Item("status", string.Concat(delivered.Select(m => MailboxHtml.MessageRow(m, outOfBand: true))));
                }

                arrival ??= live.WaitToReadAsync(cancellationToken).AsTask();
                var woke = await WaitAsync(arrival, recheck, time, cancellationToken);
                if (woke is WakeReason.Stopped)
                    yield break;
                if (woke is WakeReason.Signal)
                {
                    // False or an overflow: the feed ended; the browser reconnects with Last-Event-ID and reads the rest from the store.
                    if (!arrival.IsCompletedSuccessfully || !arrival.Result)
                        yield break;
                    arrival = null;
                    while (live.TryRead(out var message))
                    {
                        if (message.Id <= last)
                            continue;
                        last = message.Id;
                        watched.Add(message.Id);
                        if (watched.Count > MaxWatchedRows)
                            watched.Remove(watched.Min);
                        yield return Message(message);
                    }
                }
            }
        }
    }

    private static async IAsyncEnumerable<SseItem<string>> PendingCountEvents(MailboxService mailbox, MailboxStreamGate.Lease lease, TimeSpan recheck, TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void OnCommit(IReadOnlyList<MailboxMessage> _) => signal.Writer.TryWrite(true);
        mailbox.Store.MessagesCommitted += OnCommit;
        using (lease)
        {
            try
            {
                var shown = new Dictionary<string, long>(StringComparer.Ordinal);
                Task<bool>? wait = null;
                while (!cancellationToken.IsCancellationRequested)
                {
                    IReadOnlyDictionary<string, long> counts;
                    try
                    {
                        counts = await mailbox.Store.CountPendingByActorAsync(cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        yield break;
                    }

                    foreach (var actor in mailbox.Store.ListActors())
                    {
                        var count = counts.GetValueOrDefault(actor.Id);
                        if (shown.TryGetValue(actor.Id, out var before) && before == count)
                            continue;
                        shown[actor.Id] = count;
                        yield return Item("pending-" + actor.Id, count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }

                    wait ??= signal.Reader.WaitToReadAsync(cancellationToken).AsTask();
                    var woke = await WaitAsync(wait, recheck, time, cancellationToken);
                    if (woke is WakeReason.Stopped)
                        yield break;
                    if (woke is WakeReason.Signal)
                    {
                        wait = null;
                        signal.Reader.TryRead(out _);
                    }
                }
            }
            finally
            {
                mailbox.Store.MessagesCommitted -= OnCommit;
            }
        }
    }

    private static async IAsyncEnumerable<SseItem<string>> ReviewEvents(MailboxService mailbox, bool isRoot, string antiforgeryToken, MailboxStreamGate.Lease lease, TimeSpan recheck,
        TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        // Every request, answer and cancellation raises ReviewsChanged (MailboxService.Reviews).
        void OnChange() => signal.Writer.TryWrite(true);
        mailbox.ReviewsChanged += OnChange;
        using (lease)
        {
            try
            {
                string? shownPending = null, shownClosed = null;
                Task<bool>? wait = null;
                while (!cancellationToken.IsCancellationRequested)
                {
                    (string Pending, string Closed)? lists;
                    try
                    {
                        lists = await RenderReviewsAsync(mailbox, isRoot, antiforgeryToken, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        yield break;
                    }

                    if (lists.Value.Pending != shownPending)
                        yield return Item("pending", shownPending = lists.Value.Pending);
                    if (lists.Value.Closed != shownClosed)
                        yield return Item("closed", shownClosed = lists.Value.Closed);
                    wait ??= signal.Reader.WaitToReadAsync(cancellationToken).AsTask();
                    var woke = await WaitAsync(wait, recheck, time, cancellationToken);
                    if (woke is WakeReason.Stopped)
                        yield break;
                    if (woke is WakeReason.Signal)
                    {
                        wait = null;
                        signal.Reader.TryRead(out _);
                    }
                }
            }
            finally
            {
                mailbox.ReviewsChanged -= OnChange;
            }
        }
    }

    /// <summary>The two review lists as the page renders them (the page and the stream share this).</summary>
    public static async Task<(string Pending, string Closed)> RenderReviewsAsync(MailboxService mailbox, bool isRoot, string antiforgeryToken, CancellationToken cancellationToken)
    {
        var pending = await mailbox.PermissionListAsync(MailboxService.RootCaller, new PermissionListRequest(), cancellationToken);
        var closed = await mailbox.RecentClosedReviewsAsync(MailboxStreamGate.ClosedReviewsShown, cancellationToken);
        return (MailboxHtml.PendingReviews(pending.Reviews, isRoot, antiforgeryToken), MailboxHtml.ClosedReviews(closed));
    }

    private static async Task<IReadOnlyList<MailboxMessage>?> ReadBacklogAsync(MailboxService mailbox, string actorId, CancellationToken cancellationToken)
    {
        try
        {
            return await mailbox.Store.ReadLatestAsync(actorId, BacklogLimit, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The watched messages now delivered (removed from <paramref name="watched"/>); null when cancelled.</summary>
    private static async Task<List<MailboxMessage>?> NewlyDeliveredAsync(MailboxService mailbox, string actorId, SortedSet<ulong> watched, CancellationToken cancellationToken)
    {
        if (watched.Count == 0)
            return [];
        IReadOnlyList<MailboxMessage> window;
        try
        {
            window = await mailbox.Store.ReadAsync(new InboxQuery(actorId, MailboxService.MaxInboxLimit, watched.Min - 1, IncludeDelivered: true, null, null), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        var delivered = window.Where(m => m.Status == MessageStatus.Delivered && watched.Contains(m.Id)).ToList();
        foreach (var message in delivered)
            watched.Remove(message.Id);
        return delivered;
    }

    private static async Task<long?> CountPendingAsync(MailboxService mailbox, string actorId, CancellationToken cancellationToken)
    {
        try
        {
            return await mailbox.Store.CountPendingAsync(actorId, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private enum WakeReason
    {
        Signal,
        Recheck,
        Stopped,
    }

    /// <summary>Waits for <paramref name="signal"/> or the recheck interval, whichever comes first.</summary>
    private static async Task<WakeReason> WaitAsync(Task signal, TimeSpan recheck, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(recheck, time, timer.Token);
        var first = await Task.WhenAny(signal, delay);
        await timer.CancelAsync();
        if (cancellationToken.IsCancellationRequested)
            return WakeReason.Stopped;
        if (first == signal)
            return signal.IsCanceled ? WakeReason.Stopped : WakeReason.Signal;
        return WakeReason.Recheck;
    }

    private static SseItem<string> Message(MailboxMessage message) =>
        new(MailboxHtml.MessageRow(message).ReplaceLineEndings(" "), "message") { EventId = message.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    // SSE data cannot hold raw newlines; the fragments are whitespace-insensitive HTML (payload newlines are encoded).
    private static SseItem<string> Item(string type, string html) => new(html.ReplaceLineEndings(" "), type);
}
