using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Mesh.Core.Protocol;
using Mesh.Hub.Live;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Web;
using Microsoft.AspNetCore.Antiforgery;

namespace Mesh.Hub.Mailbox.Reviews;

/// <summary>
/// GET /ui/reviews/stream: the reviews page's live updates, "pending" and "closed" (both lists as HTML), sent when
/// they change: on each review asked, answered or cancelled (<see cref="ReviewsFeed"/>) and every
/// <see cref="MailboxStreams.RecheckInterval"/>.
/// </summary>
internal static class ReviewsStream
{
    public const int ClosedReviewsShown = 20;

    public static void MapReviewsStream(this WebApplication app) =>
        app.MapGet("/ui/reviews/stream", (ReviewService reviews, ReviewsFeed feed, MailboxStreams streams, IAntiforgery antiforgery, TimeProvider time, HttpContext http) =>
        {
            // The answer forms carry the request token so they also post without htmx; taken before the body starts.
            var token = antiforgery.GetAndStoreTokens(http).RequestToken ?? string.Empty;
            var isRoot = http.User.IsInRole(AdminRoles.Root);
            return LiveSse.Stream(feed.Feed, http, subscription => Events(reviews, subscription, isRoot, token, streams.RecheckInterval, time, http.RequestAborted));
        }).RequireAuthorization(WebAuth.ViewerPolicy).ExcludeFromDescription();

    /// <summary>The two review lists as the page renders them (the page and the stream share this).</summary>
    public static async Task<(string Pending, string Closed)> RenderAsync(ReviewService reviews, bool isRoot, string antiforgeryToken, CancellationToken cancellationToken)
    {
        var pending = await reviews.PermissionListAsync(ActorService.RootCaller, new PermissionListRequest(), cancellationToken);
        var closed = await reviews.RecentClosedReviewsAsync(ClosedReviewsShown, cancellationToken);
        return (ReviewHtml.PendingReviews(pending.Reviews, isRoot, antiforgeryToken), ReviewHtml.ClosedReviews(closed));
    }

    private static async IAsyncEnumerable<SseItem<string>> Events(ReviewService reviews, LiveSubscription<ulong> subscription, bool isRoot, string antiforgeryToken,
        TimeSpan recheck, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (subscription)
        {
            string? shownPending = null, shownClosed = null;
            while (!cancellationToken.IsCancellationRequested)
            {
                (string Pending, string Closed) lists;
                try
                {
                    lists = await RenderAsync(reviews, isRoot, antiforgeryToken, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }

                if (lists.Pending != shownPending)
                    yield return LiveSse.Html("pending", shownPending = lists.Pending);
                if (lists.Closed != shownClosed)
                    yield return LiveSse.Html("closed", shownClosed = lists.Closed);
                try
                {
                    // Any change (or the recheck interval) re-renders; which review changed does not matter here.
                    await subscription.NextAsync(recheck, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
            }
        }
    }
}
