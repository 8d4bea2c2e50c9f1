using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Mesh.Hub.Live;
using Mesh.Hub.Nodes.Join;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Web;

namespace Mesh.Hub.Nodes;

/// <summary>
/// GET /ui/join/{tokenId}/stream (root): the Join page's progress panel as "progress" events — at connect, then
/// whenever a node that enrolled with the token changes, read from the nodes' live feed.
/// </summary>
internal static class JoinProgressStream
{
    /// <summary>How often the panel is re-checked when the feed says nothing (an enrollment the panel missed).</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(5);

    public static void MapJoinProgressStream(this WebApplication app) =>
        app.MapGet("/ui/join/{tokenId}/stream", (string tokenId, NodeRegistry registry, NodesFeed feed, JoinedNodes joined, TimeProvider time, HttpContext http) =>
            LiveSse.Stream(feed.Feed, http, subscription => Events(tokenId, registry, joined, subscription, time, http.RequestAborted)))
            .RequireAuthorization(AdminRoles.RootPolicy).ExcludeFromDescription();

    internal static string Panel(string tokenId, NodeRegistry registry, JoinedNodes joined) =>
        JoinProgressHtml.Panel([.. joined.For(tokenId).Select(registry.Get).OfType<NodeView>()]);

    private static async IAsyncEnumerable<SseItem<string>> Events(string tokenId, NodeRegistry registry, JoinedNodes joined, LiveSubscription<NodeChange> subscription, TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (subscription)
        {
            var last = Panel(tokenId, registry, joined);
            yield return LiveSse.Html("progress", last);
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await subscription.NextAsync(Recheck, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }

                var panel = Panel(tokenId, registry, joined);
                if (panel == last)
                    continue;
                last = panel;
                yield return LiveSse.Html("progress", panel);
            }
        }
    }
}
