using Mesh.Hub.Audit;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;

namespace Mesh.Hub.Agents.Replicas;

/// <summary>
/// Scales an agent to N runs: the agent itself plus N - 1 named replicas, each with its own actor (mailbox) and work
/// folder. Scale-up names and places new replicas (or leaves them "pending: no capacity"); scale-down picks victims by
/// <see cref="ScaleDownOrder"/> and drains them: they take no new work, are stopped with the agent's grace, and are
/// removed once their node reports them stopped. One scale at a time per hub.
/// </summary>
public sealed class ReplicaService(AgentStore store, AgentPush push, AgentPlacement placement, ActorService actors, MessageService messages,
    Conversations.ConversationStore conversations, IAuditLog audit, IEnumerable<IAgentChangeListener> listeners, Core.Configuration.MeshConfig config, TimeProvider time,
    ILogger<ReplicaService> logger) : IDisposable
{
    /// <summary>Most runs one agent may have ([hub] max_replicas).</summary>
    public int MaxReplicas => config.MaxReplicas;

    private static readonly HashSet<string> StillRunning = new(StringComparer.Ordinal) { "running", "stopping", "preparing" };
    private readonly SemaphoreSlim _gate = new(1, 1);

    public void Dispose() => _gate.Dispose();

    /// <summary>The agent's live replicas after itself (draining ones included, removed ones not).</summary>
    public IReadOnlyList<AgentReplica> LiveReplicas(string agentId) => [.. store.ReplicasOf(agentId).Where(r => r.Live)];

    public async Task ScaleAsync(string agentId, int replicas, string actor, string? source, CancellationToken cancellationToken)
    {
        if (store.Find(agentId) is null && store.Replica(agentId) is { } named)
            throw new AgentException(AgentError.Conflict, $"'{agentId}' is a replica of agent '{named.AgentId}'; scale '{named.AgentId}' instead.");
        if (replicas < 0)
            throw new AgentException(AgentError.InvalidArgument, $"replicas {replicas} is negative: give a count from 1 to {MaxReplicas}.", "replicas");
        if (replicas == 0)
            throw new AgentException(AgentError.InvalidArgument, "replicas 0: an agent always runs at least once (itself); stop it with POST /api/admin/agents/{id}/stop instead.", "replicas");
        if (replicas > MaxReplicas)
            throw new AgentException(AgentError.InvalidArgument, $"replicas {replicas} is above the limit of {MaxReplicas} ([hub] max_replicas).", "replicas");
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var agent = store.Find(agentId) ?? throw new AgentException(AgentError.NotFound, $"agent '{DisplayText.Truncate(agentId)}' does not exist.");
            if (replicas > 1 && (agent.WorkFolder.Mode == AgentWorkFolderDefinition.ReuseWorktree || (agent.WorkFolder.Mode == AgentWorkFolderDefinition.UseExisting && agent.WorkDir is not null)))
                throw new AgentException(AgentError.InvalidArgument, $"agent '{agentId}' uses the one folder {agent.WorkDir} ({agent.WorkFolder.Mode}); replicas need a folder each: create the agent with an empty work_dir or with create_worktree.", "work_dir");
            var all = store.ReplicasOf(agentId);
            var active = all.Where(r => r.State == ReplicaStates.Active).ToList();
            var current = 1 + active.Count;
            var changed = replicas > current
                ? await AddAsync(agent, all, replicas - current, cancellationToken)
                : replicas < current ? await DrainAsync(active, current - replicas, cancellationToken) : [];
            if (agent.Replicas != replicas)
                await store.SaveAsync(agent with { Replicas = replicas, UpdatedAt = time.GetUtcNow() }, cancellationToken);
            var summary = $"replicas {current} -> {replicas}"
                + (replicas > current ? "; added " + string.Join(", ", changed.Select(r => r.NodeId is null ? r.Name + " (pending: no capacity)" : $"{r.Name} on {r.NodeId}")) : "")
                + (replicas < current ? "; draining " + string.Join(", ", changed.Select(r => r.Name)) : "");
            await audit.RecordAsync(actor, AuditActions.AgentScaled, agentId, source, summary, cancellationToken);
            ReplicaLog.Scaled(logger, agentId, current, replicas, actor);
            await PushAsync(changed.Select(r => r.NodeId), cancellationToken);
            Notify(agentId);
        }
        finally
        {
            _gate.Release();
        }

        // Replicas drained while nothing runs (never started, or already stopped) go at once.
        await ReconcileAsync(cancellationToken);
    }

    /// <summary>
    /// The scale-down rule: the newest age rank first (a rank is one scale-up; all replicas it made share it); within
    /// a rank, idle replicas before busy ones; then the newest (highest ordinal) first. The agent itself is never chosen.
    /// </summary>
    public static IReadOnlyList<AgentReplica> ScaleDownOrder(IEnumerable<AgentReplica> active, Func<AgentReplica, bool> busy) =>
        [.. active.OrderByDescending(r => r.Rank).ThenBy(r => busy(r) ? 1 : 0).ThenByDescending(r => r.Ordinal)];

    /// <summary>
    /// Idle: waiting for a node, or no message pending in its mailbox (a claimed, unacked schedule fire is such a
    /// message) and no active conversation (one with a message in the last <see cref="Conversations.AgentRouter.Lease"/>).
    /// </summary>
    public async Task<bool> IsBusyAsync(AgentReplica replica, CancellationToken cancellationToken) =>
        replica.NodeId is not null && (await messages.CountPendingAsync(replica.Name, cancellationToken) > 0
            || (await conversations.CountsAsync(replica.AgentId, time.GetUtcNow(), cancellationToken)).GetValueOrDefault(replica.Name).Active > 0);

    /// <summary>A replica's mailbox, also after it was removed (its archive), newest first.</summary>
    public async Task<(AgentReplica Replica, IReadOnlyList<Core.Protocol.MailboxMessage> Messages)> ArchiveAsync(string agentId, string name, int limit, CancellationToken cancellationToken)
    {
        var replica = store.Replica(name) is { } found && found.AgentId == agentId ? found
            : throw new AgentException(AgentError.NotFound, $"agent '{DisplayText.Truncate(agentId)}' has no replica '{DisplayText.Truncate(name)}'.");
        return (replica, await messages.ArchiveAsync(name, limit, cancellationToken));
    }

    /// <summary>Removes drained replicas whose run has ended and places replicas waiting for capacity.</summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var nodes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var replica in store.Unplaced())
            {
                var agent = store.Find(replica.AgentId);
                if (agent is null)
                    continue;
                var node = placement.Candidates(agent.Placement, agent.Capabilities, agent.Id, codebase: agent.Codebase) is [var first, ..] ? first : null;
                if (node is null)
                    continue;
                var placed = replica with { NodeId = node.Id, Revision = replica.Revision + 1 };
                await CreateActorAsync(agent, placed, cancellationToken);
                await store.SaveReplicasAsync([placed], cancellationToken);
                ReplicaLog.Placed(logger, placed.Name, agent.Id, node.Id);
                nodes.Add(node.Id);
                Notify(agent.Id);
            }

            foreach (var replica in store.AllReplicas().Where(r => r.State == ReplicaStates.Draining))
            {
                if (replica.NodeId is not null && store.Status(replica.Name)?.State is { } state && StillRunning.Contains(state))
                    continue;
                await RemoveAsync([replica], cancellationToken);
                ReplicaLog.Removed(logger, replica.Name, replica.AgentId);
                await audit.RecordAsync("hub", AuditActions.AgentReplicaRemoved, replica.AgentId, null, $"replica {replica.Name} drained and removed", cancellationToken);
                if (replica.NodeId is not null)
                    nodes.Add(replica.NodeId);
                Notify(replica.AgentId);
            }

            await PushAsync(nodes, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The agent is being deleted: every replica goes at once (no drain); returns the nodes they were on.</summary>
    public async Task<IReadOnlyCollection<string>> RemoveAllAsync(string agentId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var live = LiveReplicas(agentId);
            await RemoveAsync(live, cancellationToken);
            return live.Select(r => r.NodeId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IReadOnlyList<AgentReplica>> AddAsync(AgentDefinition agent, IReadOnlyList<AgentReplica> all, int count, CancellationToken cancellationToken)
    {
        var rank = all.Count == 0 ? 1 : all.Max(r => r.Rank) + 1;
        var ordinal = all.Count == 0 ? 0 : all.Max(r => r.Ordinal);
        var planned = new Dictionary<string, int>(StringComparer.Ordinal);
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        var added = new List<AgentReplica>();
        var now = time.GetUtcNow();
        for (var i = 0; i < count; i++)
        {
            var name = ReplicaNames.Next(agent.Id, n => chosen.Contains(n) || store.ReplicaNameUsed(n) || store.Find(n) is not null || actors.Find(n) is not null);
            chosen.Add(name);
            var node = placement.Candidates(agent.Placement, agent.Capabilities, agent.Id, planned, agent.Codebase) is [var first, ..] ? first : null;
            if (node is not null)
                planned[node.Id] = planned.GetValueOrDefault(node.Id) + 1;
            added.Add(new AgentReplica(name, agent.Id, ++ordinal, rank, node?.Id, ReplicaStates.Active, 1, now));
        }

        foreach (var replica in added.Where(r => r.NodeId is not null))
            await CreateActorAsync(agent, replica, cancellationToken);
        await store.SaveReplicasAsync(added, cancellationToken);
        return added;
    }

    private async Task<IReadOnlyList<AgentReplica>> DrainAsync(IReadOnlyList<AgentReplica> active, int count, CancellationToken cancellationToken)
    {
        var busy = new HashSet<string>(StringComparer.Ordinal);
        foreach (var replica in active)
        {
            if (await IsBusyAsync(replica, cancellationToken))
                busy.Add(replica.Name);
        }

        var draining = ScaleDownOrder(active, r => busy.Contains(r.Name)).Take(count)
            .Select(r => r with { State = ReplicaStates.Draining, Revision = r.Revision + 1 }).ToList();
        await store.SaveReplicasAsync(draining, cancellationToken);
        return draining;
    }

    // The actor leaves the directory (nothing new reaches it); its messages stay in the store, readable as its archive.
    private async Task RemoveAsync(IReadOnlyList<AgentReplica> replicas, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await store.SaveReplicasAsync([.. replicas.Select(r => r with { State = ReplicaStates.Removed, RemovedAt = now, Revision = r.Revision + 1 })], cancellationToken);
        foreach (var replica in replicas)
        {
            try
            {
                await actors.DeleteActorAsync(replica.Name, cancellationToken);
            }
            catch (MailboxException ex) when (ex.Error == MailboxError.NotFound)
            {
            }
        }
    }

    private async Task CreateActorAsync(AgentDefinition agent, AgentReplica replica, CancellationToken cancellationToken)
    {
        await actors.CreateActorAsync(replica.Name, $"{agent.Name} ({replica.Name})", agent.TeamId, agent.Role, replica.NodeId, cancellationToken);
    }

    private async Task PushAsync(IEnumerable<string?> nodes, CancellationToken cancellationToken)
    {
        foreach (var node in nodes.OfType<string>().Distinct(StringComparer.Ordinal))
            await push.PushAsync(node, cancellationToken);
    }

    private void Notify(string agentId)
    {
        foreach (var listener in listeners)
            listener.AgentChanged(agentId);
    }
}
