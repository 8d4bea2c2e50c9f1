using Mesh.Hub.Agents.Conversations;
using Mesh.Hub.Mailbox.Schedules;

namespace Mesh.Hub.Agents.Replicas;

/// <summary>What one run of an agent (the agent itself or a replica) did lately: conversations it holds, how many are active, its last schedule fire.</summary>
public sealed record ReplicaActivity(int Conversations, int ActiveConversations, DateTimeOffset? LastFire);

/// <summary>Reads the agent page's per-run activity from the conversation and schedule stores (neither announces its changes, so the page re-reads it).</summary>
public sealed class ReplicaActivityReader(AgentRouter router, ScheduleService schedules)
{
    public async Task<IReadOnlyDictionary<string, ReplicaActivity>> ReadAsync(string agentId, CancellationToken cancellationToken)
    {
        var counts = await router.CountsAsync(agentId, cancellationToken);
        var lastFire = await schedules.LastFireByRunAsync(agentId, cancellationToken);
        var activity = new Dictionary<string, ReplicaActivity>(StringComparer.Ordinal);
        foreach (var run in counts.Keys.Union(lastFire.Keys, StringComparer.Ordinal))
        {
            var (held, active) = counts.GetValueOrDefault(run);
            activity[run] = new ReplicaActivity(held, active, lastFire.TryGetValue(run, out var fired) ? fired : null);
        }

        return activity;
    }
}
