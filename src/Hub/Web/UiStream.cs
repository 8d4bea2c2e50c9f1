using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Mesh.Hub.Registry;
using Mesh.Hub.Web.Rendering;

namespace Mesh.Hub.Web;

/// <summary>
/// GET /ui/stream: the nodes page's live updates as HTML fragments for htmx's SSE extension — "stats", "table"
/// (the whole table body, at connect and when nodes are added) and "node-&lt;id&gt;" (one row).
/// </summary>
internal static class UiStream
{
    public static void MapUiStream(this WebApplication app) =>
        app.MapGet("/ui/stream", (NodeRegistry registry, TimeProvider time, HttpContext http) =>
        {
            var subscription = registry.Changes.TrySubscribe();
            if (subscription is null)
            {
                http.Response.Headers.RetryAfter = "5";
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            return TypedResults.ServerSentEvents(Events(registry, subscription, time, http.RequestAborted));
        }).RequireAuthorization(WebAuth.ViewerPolicy).ExcludeFromDescription();

    private static async IAsyncEnumerable<SseItem<string>> Events(NodeRegistry registry, NodeChangeSubscription subscription, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (subscription)
        {
            var nodes = registry.List();
            yield return Item("stats", NodeHtml.Stats(NodeRegistry.Stats(nodes)));
            yield return Item("table", NodeHtml.Rows(nodes, time.GetUtcNow()));
            while (!cancellationToken.IsCancellationRequested)
            {
                IReadOnlyCollection<string> ids;
                bool membership;
                try
                {
                    (ids, membership) = await subscription.NextAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }

                var now = time.GetUtcNow();
                nodes = registry.List();
                if (membership)
                {
                    yield return Item("table", NodeHtml.Rows(nodes, now));
                }
                else
                {
                    foreach (var id in ids)
                    {
                        if (registry.Get(id) is { } node)
                            yield return Item("node-" + id, NodeHtml.Row(node, now));
                    }
                }

                yield return Item("stats", NodeHtml.Stats(NodeRegistry.Stats(nodes)));
            }
        }
    }

    // SSE data cannot hold raw newlines; the fragments are whitespace-insensitive HTML.
    private static SseItem<string> Item(string type, string html) => new(html.ReplaceLineEndings(" "), type);
}
