using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Mesh.Core.Configuration;
using Mesh.Hub.Live;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Web;

namespace Mesh.Hub.Nodes;

/// <summary>GET /api/cluster/best-node?capabilities=gpu,docker and GET /api/cluster/stream (Server-Sent Events of node changes).</summary>
public static class ClusterEndpoints
{
    public static RouteGroupBuilder MapClusterApi(this WebApplication app, string policy)
    {
        var cluster = app.MapGroup("/api/cluster").RequireAuthorization(policy);
        cluster.MapGet("/best-node", (string? capabilities, NodeRegistry registry) =>
        {
            var wanted = (capabilities ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
            var bad = wanted.Where(c => !Capabilities.IsValid(c)).ToList();
            if (bad.Count > 0)
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["capabilities"] = [$"'{bad[0]}' is not a capability tag (1-64 characters of [A-Za-z0-9._:/-]); separate tags with commas"] });
            var candidates = registry.BestNodes(wanted);
            return candidates.Count == 0
                ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found",
                    detail: wanted.Count == 0 ? "no node is online" : $"no online node has all of: {string.Join(", ", wanted)}")
                : Results.Json(new BestNodeBody(NodeJson.From(candidates[0]), candidates.Count), NodeApiJson.Default.BestNodeBody);
        }).WithName("BestNode");
        cluster.MapGet("/stream", (NodeRegistry registry, NodesFeed feed, HttpContext http) =>
            LiveSse.Stream(feed.Feed, http, subscription => Events(registry, subscription, http.RequestAborted),
                refused: Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable", detail: "too many change streams are open; retry later")))
            .WithName("ClusterStream");
        return cluster;
    }

    /// <summary>
    /// An event "stats" (aggregates), every node once as it is now, then each change (coalesced per node) as an event
    /// "node"; a reader that fell a whole feed behind gets every node again.
    /// </summary>
    private static async IAsyncEnumerable<SseItem<string>> Events(NodeRegistry registry, LiveSubscription<NodeChange> subscription, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (subscription)
        {
            // The first event goes out at once so clients see the stream open even with no nodes.
            var nodes = registry.List();
            yield return new SseItem<string>(JsonSerializer.Serialize(NodeJson.Stats(NodeRegistry.Stats(nodes)), NodeApiJson.Default.ClusterStats), "stats");
            foreach (var node in nodes)
                yield return Item(node);
            while (!cancellationToken.IsCancellationRequested)
            {
                IReadOnlyCollection<string> ids;
                bool startOver;
                try
                {
                    var batch = await subscription.NextAsync(cancellationToken);
                    (ids, _) = NodesFeed.Coalesce(batch);
                    startOver = batch.DroppedBefore is not null;
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }

                foreach (var id in startOver ? registry.List().Select(n => n.Id) : ids)
                {
                    if (registry.Get(id) is { } node)
                        yield return Item(node);
                }
            }
        }
    }

    private static SseItem<string> Item(NodeView node) =>
        new(JsonSerializer.Serialize(NodeJson.From(node), NodeApiJson.Default.NodeBody), "node") { EventId = node.Id };
}
