using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Mesh.Core.Protocol;
using Mesh.Hub.Agents.Replicas;
using Mesh.Hub.Live;
using Mesh.Hub.Web;

namespace Mesh.Hub.Agents;

/// <summary>
/// The agents pages' live updates as HTML fragments for htmx's SSE extension, woken by <see cref="AgentsFeed"/>;
/// each stream re-reads the agents and sends only what differs from what it last sent:
/// <list type="bullet">
/// <item>GET /ui/agents/stream: "table" (all rows: at connect and when agents are added or deleted) and
/// "agent-&lt;id&gt;" (one row).</item>
/// <item>GET /ui/agents/{id}/stream: "status", "output", "replicas" and "runs" of one agent; "status" says so when it
/// is deleted, then "deleted" ends the stream.</item>
/// </list>
/// </summary>
internal static class AgentsStream
{
    /// <summary>The agent page's last event when its agent is deleted: the page closes the stream (sse-close) rather than retry into a 404.</summary>
    public const string DeletedEvent = "deleted";

    /// <summary>How often an agent page's stream re-reads its runs' conversations and fires when nothing else wakes it.</summary>
    public static readonly TimeSpan ActivityInterval = TimeSpan.FromSeconds(3);

    /// <summary>Runs the agent page shows (newest first).</summary>
    public const int RunsShown = 20;

    public static void MapAgentsStreams(this WebApplication app)
    {
        app.MapGet("/ui/agents/stream", (AgentService agents, AgentsFeed feed, TimeProvider time, HttpContext http) =>
            LiveSse.Stream(feed.Feed, http, subscription => ListEvents(agents, subscription, time, http.RequestAborted)))
            .RequireAuthorization(WebAuth.ViewerPolicy).ExcludeFromDescription();

        app.MapGet("/ui/agents/{id}/stream", (string id, AgentService agents, ReplicaActivityReader activity, AgentsFeed feed, TimeProvider time, HttpContext http) =>
            agents.Get(id) is null
                ? Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"agent '{DisplayText.Truncate(id)}' does not exist.")
                : LiveSse.Stream(feed.Feed, http, subscription => AgentEvents(id, agents, activity, subscription, time, http.RequestAborted)))
            .RequireAuthorization(WebAuth.ViewerPolicy).ExcludeFromDescription();
    }

    private static async IAsyncEnumerable<SseItem<string>> ListEvents(AgentService agents, LiveSubscription<string> subscription, TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (subscription)
        {
            var shown = agents.List();
            yield return LiveSse.Html("table", AgentHtml.Rows(shown, time.GetUtcNow()));
            while (await WaitAsync(subscription, cancellationToken))
            {
                var current = agents.List();
                var now = time.GetUtcNow();
                if (!current.Select(a => a.Definition.Id).SequenceEqual(shown.Select(a => a.Definition.Id), StringComparer.Ordinal))
                {
                    yield return LiveSse.Html("table", AgentHtml.Rows(current, now));
                }
                else
                {
                    for (var i = 0; i < current.Count; i++)
                    {
                        if (!current[i].Equals(shown[i]))
                            yield return LiveSse.Html("agent-" + current[i].Definition.Id, AgentHtml.Row(current[i], now));
                    }
                }

                shown = current;
            }
        }
    }

    private static async IAsyncEnumerable<SseItem<string>> AgentEvents(string id, AgentService agents, ReplicaActivityReader activity,
        LiveSubscription<string> subscription, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (subscription)
        {
            AgentView? shown = null;
            string? shownReplicas = null;
            do
            {
                var current = agents.Get(id);
                if (current is null)
                {
                    yield return LiveSse.Html("status", """<p class="error" role="status" id="agent-deleted">This agent was deleted.</p>""");
                    yield return LiveSse.Html(DeletedEvent, "deleted"); // an event with no data is never dispatched
                    yield break;
                }

                // Conversations and fires change without an agent event: re-read at every wake-up, sent when they differ.
                var replicas = current.Definition.ReplicaOf is null
                    ? AgentDetailHtml.Replicas(current, await activity.ReadAsync(id, cancellationToken))
                    : null;
                if (replicas is not null && replicas != shownReplicas)
                {
                    shownReplicas = replicas;
                    yield return LiveSse.Html("replicas", replicas);
                }

                if (current.Equals(shown))
                    continue;
                shown = current;
                yield return LiveSse.Html("status", AgentDetailHtml.Status(current, time.GetUtcNow()));
                yield return LiveSse.Html("output", AgentDetailHtml.Output(current));
                if (await RunsAsync(agents, id, cancellationToken) is { } runs)
                    yield return LiveSse.Html("runs", AgentDetailHtml.Runs(runs));
            }
            while (await WaitAsync(subscription, ActivityInterval, time, cancellationToken));
        }
    }

    /// <summary>The newest runs, or null when the agent was deleted meanwhile.</summary>
    public static async Task<IReadOnlyList<AgentRun>?> RunsAsync(AgentService agents, string id, CancellationToken cancellationToken)
    {
        try
        {
            return await agents.RunsAsync(id, RunsShown, cancellationToken);
        }
        catch (AgentException ex) when (ex.Error == AgentError.NotFound)
        {
            return null;
        }
    }

    /// <summary>Waits for the next change or <paramref name="maxWait"/>; false when the browser left.</summary>
    private static async Task<bool> WaitAsync(LiveSubscription<string> subscription, TimeSpan maxWait, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await subscription.NextAsync(maxWait, time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Waits for the next change; false when the browser left.</summary>
    private static async Task<bool> WaitAsync(LiveSubscription<string> subscription, CancellationToken cancellationToken)
    {
        try
        {
            await subscription.NextAsync(cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
