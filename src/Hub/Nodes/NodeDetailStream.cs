using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Mesh.Hub.Live;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Web;

namespace Mesh.Hub.Nodes;

/// <summary>
/// GET /ui/nodes/{id}/stream: the node page's live parts as HTML — "status" (the badge), "facts" and "chart" — at
/// connect and whenever the node changes (from the nodes' live feed, coalesced like the nodes page).
/// </summary>
internal static class NodeDetailStream
{
    public static void MapNodeDetailStream(this WebApplication app) =>
        app.MapGet("/ui/nodes/{id}/stream", (string id, NodeRegistry registry, NodesFeed feed, TimeProvider time, HttpContext http) =>
            registry.Get(id) is null ? Results.NotFound() : LiveSse.Stream(feed.Feed, http, subscription => Events(id, registry, subscription, time, http.RequestAborted)))
            .RequireAuthorization(WebAuth.ViewerPolicy).ExcludeFromDescription();

    private static async IAsyncEnumerable<SseItem<string>> Events(string id, NodeRegistry registry, LiveSubscription<NodeChange> subscription, TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (subscription)
        {
            string? status = null, facts = null, chart = null;
            while (!cancellationToken.IsCancellationRequested)
            {
                if (registry.Get(id) is not { } node)
                    yield break;
                var now = time.GetUtcNow();
                var nextStatus = NodeHtml.StatusBadge(node.Status, node.Problems);
                var nextFacts = NodeDetailHtml.Facts(node, now);
                var nextChart = HistoryChart.Render(registry.History(id), now);
                if (nextStatus != status)
                    yield return LiveSse.Html("status", status = nextStatus);
                if (nextFacts != facts)
                    yield return LiveSse.Html("facts", facts = nextFacts);
                if (nextChart != chart)
                    yield return LiveSse.Html("chart", chart = nextChart);
                bool changed;
                try
                {
                    await Task.Delay(NodesStream.CoalesceWindow, time, cancellationToken);
                    do
                    {
                        var (ids, membership) = NodesFeed.Coalesce(await subscription.NextAsync(cancellationToken));
                        changed = membership || ids.Contains(id);
                    }
                    while (!changed);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
            }
        }
    }
}
