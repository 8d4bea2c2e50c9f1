using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Mesh.Hub.Live;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Web;

namespace Mesh.Hub.Nodes;

/// <summary>
/// GET /ui/stream: the nodes page's live updates as HTML fragments for htmx's SSE extension — "stats", "table"
/// (the whole table body, at connect, when nodes are added, and after a reader fell behind the feed) and
/// "node-&lt;id&gt;" (one row).
/// </summary>
internal static class NodesStream
{
    /// <summary>
    /// A stream sends at most one round of changes per window: with a heartbeat from every node every few seconds,
    /// a browser gets each changed row once a second instead of once per heartbeat.
    /// </summary>
    internal static readonly TimeSpan CoalesceWindow = TimeSpan.FromSeconds(1);

    public static void MapNodesStream(this WebApplication app) =>
        app.MapGet("/ui/stream", (NodeRegistry registry, NodesFeed feed, TimeProvider time, HttpContext http) =>
            LiveSse.Stream(feed.Feed, http, subscription => Events(registry, subscription, time, http.RequestAborted)))
            .RequireAuthorization(WebAuth.ViewerPolicy).ExcludeFromDescription();

    private static async IAsyncEnumerable<SseItem<string>> Events(NodeRegistry registry, LiveSubscription<NodeChange> subscription, TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (subscription)
        {
            var nodes = registry.List();
            yield return LiveSse.Html("stats", NodeHtml.Stats(NodeRegistry.Stats(nodes)));
            yield return LiveSse.Html("table", NodeHtml.Rows(nodes, time.GetUtcNow()));
            while (!cancellationToken.IsCancellationRequested)
            {
                IReadOnlyCollection<string> ids;
                bool membership;
                try
                {
                    (ids, membership) = NodesFeed.Coalesce(await subscription.NextAsync(cancellationToken));
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }

                var now = time.GetUtcNow();
                nodes = registry.List();
                if (membership)
                {
                    yield return LiveSse.Html("table", NodeHtml.Rows(nodes, now));
                }
                else
                {
                    foreach (var id in ids)
                    {
                        if (registry.Get(id) is { } node)
                            yield return LiveSse.Html("node-" + id, NodeHtml.Row(node, now));
                    }
                }

                yield return LiveSse.Html("stats", NodeHtml.Stats(NodeRegistry.Stats(nodes)));
                try
                {
                    await Task.Delay(CoalesceWindow, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
            }
        }
    }
}
