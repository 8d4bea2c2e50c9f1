using Mesh.Core.Configuration;
using Mesh.Hub.Agents.Replicas;
using Mesh.Hub.Audit;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Nodes.Sessions;

namespace Mesh.Hub.Agents;

/// <summary>
/// Agents as operators manage them (REST, UI, CLI): define, place, start, stop, restart, kill, delete. The hub keeps
/// the desired state; every change is stored, audited and pushed to the agent's node, which reconciles on its own.
/// Creating an agent creates its actor (mailbox) on the same node; deleting it deletes the actor.
/// </summary>
public sealed class AgentService(AgentStore store, AgentPush push, AgentWorktrees worktrees, ActorService actors, NodeRegistry registry, NodeSessionManager sessions,
    AgentPlacement placement, ReplicaService replicas, Mailbox.Schedules.ScheduleService schedules, Conversations.ConversationStore conversations, IAuditLog audit, IEnumerable<IAgentChangeListener> listeners, AgentMetrics metrics, TimeProvider time, ILogger<AgentService> logger)
{
    public IReadOnlyList<AgentView> List() => [.. store.List().Select(View)];

    /// <summary>An agent, or a live replica of one (its derived definition, with replica_of set).</summary>
    public AgentView? Get(string id) => store.FindRunnable(id) is { } definition ? View(definition) : null;

    public IReadOnlyList<AgentView> OnNode(string nodeId) => [.. store.OnNode(nodeId).Select(View)];

    public Task<IReadOnlyList<Core.Protocol.AgentRun>> RunsAsync(string id, int limit, CancellationToken cancellationToken) =>
        store.FindRunnable(id) is null ? throw NotFound(id) : store.RunsAsync(id, Math.Clamp(limit, 1, 500), cancellationToken);

    /// <summary>One run of an agent (null when the hub has no record of it).</summary>
    public Task<Core.Protocol.AgentRun?> RunAsync(string id, string runId, CancellationToken cancellationToken) => store.RunAsync(id, runId, cancellationToken);

    public async Task<AgentView> CreateAsync(AgentRequest request, string actor, string? source, CancellationToken cancellationToken)
    {
        var id = request.Id ?? throw new AgentException(AgentError.InvalidArgument, "an agent needs an id: 2-64 characters of [A-Za-z0-9._-] (it is also its actor id).", "id");
        if (!NodeIds.IsValid(id, out var idError))
            throw new AgentException(AgentError.InvalidArgument, "id: " + idError, "id");
        if (store.Find(id) is not null)
            throw new AgentException(AgentError.Conflict, $"agent '{id}' already exists.", "id");
        if (store.ReplicaNameUsed(id))
            throw new AgentException(AgentError.Conflict, $"'{id}' is (or was) the name of a replica; replica names are never reused, so pick another id.", "id");
        var capabilities = AgentValidation.Capabilities(request.Capabilities);
        var codebase = string.IsNullOrEmpty(request.Codebase) ? null : placement.CheckCodebase(request.Codebase, request.Placement);
        var workDir = AgentValidation.WorkDir(request.WorkDir);
        var workFolder = AgentValidation.WorkFolder(request, workDir);
        var now = time.GetUtcNow();
        var definition = new AgentDefinition
        {
            Id = id,
            Name = AgentValidation.Name(request.Name, id),
            TeamId = string.IsNullOrEmpty(request.TeamId) ? null : request.TeamId,
            Role = string.IsNullOrEmpty(request.Role) ? "worker" : request.Role,
            Placement = request.Placement ?? AgentPolicies.Auto,
            NodeId = Place(request.Placement, capabilities, codebase),
            Capabilities = capabilities,
            Codebase = codebase,
            Command = AgentValidation.Command(request.Command),
            Environment = AgentValidation.Environment(request.Environment),
            WorkDir = workDir,
            WorkFolder = workFolder,
            RestartPolicy = AgentValidation.RestartPolicy(request.RestartPolicy),
            StopGraceSeconds = AgentValidation.StopGrace(request.StopGraceSeconds),
            MemoryMaxBytes = AgentValidation.MemoryMax(request.MemoryMaxBytes),
            PidsMax = AgentValidation.PidsMax(request.PidsMax),
            DesiredState = AgentValidation.DesiredState(request.DesiredState),
            KillOnOutputLimit = request.KillOnOutputLimit ?? false,
            Interactive = (request.Interactive ?? false) || (request.Tty ?? false),
            Tty = request.Tty ?? false,
            CreatedAt = now,
            UpdatedAt = now,
        };

        try
        {
            await actors.CreateActorAsync(id, definition.Name, definition.TeamId, definition.Role, definition.NodeId, cancellationToken);
        }
        catch (MailboxException ex)
        {
            throw new AgentException(ex.Error == MailboxError.AlreadyExists ? AgentError.Conflict : AgentError.InvalidArgument,
                ex.Error == MailboxError.AlreadyExists ? $"an actor '{id}' already exists; an agent's id is its actor's id, so pick another or delete the actor." : ex.Message, "id");
        }

        if (!await store.CreateAsync(definition, cancellationToken))
            throw new AgentException(AgentError.Conflict, $"agent '{id}' already exists.", "id");
        if (definition.DesiredState == AgentPolicies.Running)
            metrics.StartAsked(id);
        await ChangedAsync(definition, AuditActions.AgentCreated, actor, source, $"node={definition.NodeId} command={definition.Command[0]}", cancellationToken);
        return View(definition);
    }

    public Task<AgentView> UpdateAsync(string id, AgentRequest request, string actor, string? source, CancellationToken cancellationToken)
    {
        if (request.Id is not null && request.Id != id)
            throw new AgentException(AgentError.InvalidArgument, "an agent's id cannot change.", "id");
        if (request.Placement is not null && request.Placement != store.Find(id)?.Placement)
            throw new AgentException(AgentError.InvalidArgument, "placement cannot change on an existing agent: delete it and create it on the other node.", "placement");
        if (request.Codebase is not null && request.Codebase != store.Find(id)?.Codebase)
            throw new AgentException(AgentError.InvalidArgument, "an agent's codebase cannot change: delete the agent and create it with the other codebase.", "codebase");
        if (request.WorkMode is not null || request.Repo is not null || request.Ref is not null || request.Detach is not null || request.CopyFiles is not null || request.SetupCommand is not null
            || (request.WorkDir is not null && store.Find(id)?.WorkFolder.IsWorktree == true))
            throw new AgentException(AgentError.InvalidArgument, "an agent's worktree is made once: its work_mode, work_dir, repo, ref, detach, copy_files and setup_command cannot change; delete the agent and create it again.", "work_mode");
        return ModifyAsync(id, a => a with
        {
            Name = request.Name is null ? a.Name : AgentValidation.Name(request.Name, id),
            Command = request.Command is null ? a.Command : AgentValidation.Command(request.Command),
            Environment = request.Environment is null ? a.Environment : AgentValidation.Environment(request.Environment),
            WorkDir = request.WorkDir is null ? a.WorkDir : AgentValidation.WorkDir(request.WorkDir),
            RestartPolicy = request.RestartPolicy is null ? a.RestartPolicy : AgentValidation.RestartPolicy(request.RestartPolicy),
            StopGraceSeconds = request.StopGraceSeconds is null ? a.StopGraceSeconds : AgentValidation.StopGrace(request.StopGraceSeconds),
            MemoryMaxBytes = request.MemoryMaxBytes is null ? a.MemoryMaxBytes : AgentValidation.MemoryMax(request.MemoryMaxBytes),
            PidsMax = request.PidsMax is null ? a.PidsMax : AgentValidation.PidsMax(request.PidsMax),
            DesiredState = request.DesiredState is null ? a.DesiredState : AgentValidation.DesiredState(request.DesiredState),
            KillOnOutputLimit = request.KillOnOutputLimit ?? a.KillOnOutputLimit,
            Interactive = (request.Interactive ?? a.Interactive) || (request.Tty ?? a.Tty),
            Tty = request.Tty ?? a.Tty,
        }, AuditActions.AgentUpdated, actor, source, cancellationToken);
    }

    /// <summary>Desired running; an agent that exited (restart policy said no) starts again.</summary>
    public Task<AgentView> StartAsync(string id, string actor, string? source, CancellationToken cancellationToken)
    {
        var node = store.Find(id) is { } agent ? registry.Get(agent.NodeId) : null;
        if (node is { Draining: true })
            throw new AgentException(AgentError.Conflict, $"node '{node.Id}' is draining and takes no new work; lift the drain or place the agent elsewhere.");
        return ModifyAsync(id, a =>
        {
            if (a.DesiredState == AgentPolicies.Running && store.Status(id)?.State is "running" or "backoff" or "crash_loop" or "stopping")
                return a;
            metrics.StartAsked(id);
            return a with { DesiredState = AgentPolicies.Running, RestartGeneration = a.RestartGeneration + 1 };
        }, AuditActions.AgentStarted, actor, source, cancellationToken);
    }

    /// <summary>Desired stopped: SIGTERM, then SIGKILL after the grace. Stopping a stopped agent changes nothing.</summary>
    public Task<AgentView> StopAsync(string id, string actor, string? source, CancellationToken cancellationToken) =>
        ModifyAsync(id, a => a.DesiredState == AgentPolicies.Stopped ? a : a with { DesiredState = AgentPolicies.Stopped }, AuditActions.AgentStopped, actor, source, cancellationToken);

    public Task<AgentView> RestartAsync(string id, string actor, string? source, CancellationToken cancellationToken) =>
        ModifyAsync(id, a =>
        {
            metrics.StartAsked(id);
            return a with { DesiredState = AgentPolicies.Running, RestartGeneration = a.RestartGeneration + 1 };
        }, AuditActions.AgentRestarted, actor, source, cancellationToken);

    /// <summary>SIGKILL now; the agent stays stopped.</summary>
    public Task<AgentView> KillAsync(string id, string actor, string? source, CancellationToken cancellationToken) =>
        ModifyAsync(id, a => a with { DesiredState = AgentPolicies.Stopped, KillGeneration = a.KillGeneration + 1 }, AuditActions.AgentKilled, actor, source, cancellationToken);

    /// <summary>Restarts every agent placed on the node that should be running.</summary>
    public async Task<IReadOnlyList<AgentView>> RestartNodeAsync(string nodeId, string actor, string? source, CancellationToken cancellationToken)
    {
        if (registry.Get(nodeId) is null)
            throw new AgentException(AgentError.NotFound, $"no node '{nodeId}'.");
        var restarted = new List<AgentView>();
        // A replica restarts with its agent (one restart generation for all of them).
        foreach (var agentId in store.OnNode(nodeId).Where(a => a.DesiredState == AgentPolicies.Running).Select(a => a.ReplicaOf ?? a.Id).Distinct(StringComparer.Ordinal))
            restarted.Add(await RestartAsync(agentId, actor, source, cancellationToken));
        return restarted;
    }

    /// <summary>Deletes the agent; for one with a worktree, what became of it (removed, or kept and why) when the node says so in time.</summary>
    public async Task<WorktreeOutcome?> DeleteAsync(string id, string actor, string? source, CancellationToken cancellationToken)
    {
        var agent = Require(id);
        var replicaNodes = await replicas.RemoveAllAsync(id, cancellationToken);
        await schedules.DeleteAllAsync(id, cancellationToken);
        await conversations.ForgetAsync(id, cancellationToken); // a later agent of the same id starts with none
        await store.DeleteAsync(id, cancellationToken);
        metrics.Forget(id);
        try
        {
            await actors.DeleteActorAsync(id, cancellationToken);
        }
        catch (MailboxException ex) when (ex.Error == MailboxError.NotFound)
        {
        }

        await audit.RecordAsync(actor, AuditActions.AgentDeleted, id, source, $"node={agent.NodeId}", cancellationToken);
        AgentsLog.Changed(logger, id, AuditActions.AgentDeleted, actor);
        Notify(id);
        foreach (var node in replicaNodes.Append(agent.NodeId).Distinct(StringComparer.Ordinal))
            await push.PushAsync(node, cancellationToken);
        return agent.WorkFolder.IsWorktree ? await worktrees.ReleaseOutcomeAsync(agent, cancellationToken) : null;
    }

    private async Task<AgentView> ModifyAsync(string id, Func<AgentDefinition, AgentDefinition> change, string action, string actor, string? source, CancellationToken cancellationToken)
    {
        var current = Require(id);
        var changed = change(current);
        if (ReferenceEquals(changed, current))
            return View(current); // idempotent: nothing to change, nothing to audit
        changed = changed with { Revision = current.Revision + 1, UpdatedAt = time.GetUtcNow() };
        await store.SaveAsync(changed, cancellationToken);
        await ChangedAsync(changed, action, actor, source, $"revision={changed.Revision}", cancellationToken);
        return View(changed);
    }

    private async Task ChangedAsync(AgentDefinition agent, string action, string actor, string? source, string details, CancellationToken cancellationToken)
    {
        await audit.RecordAsync(actor, action, agent.Id, source, details, cancellationToken);
        AgentsLog.Changed(logger, agent.Id, action, actor);
        Notify(agent.Id);
        var nodes = replicas.LiveReplicas(agent.Id).Select(r => r.NodeId).OfType<string>().Append(agent.NodeId);
        foreach (var node in nodes.Distinct(StringComparer.Ordinal))
            await push.PushAsync(node, cancellationToken);
    }

    private void Notify(string id)
    {
        foreach (var listener in listeners)
            listener.AgentChanged(id);
    }

    /// <summary>A node that exists and is not removed, or "auto": the online node with the capabilities, room under its max_agents and the fewest agents.</summary>
    private string Place(string? requested, IReadOnlyList<string> capabilities, string? codebase)
    {
        if (requested is null or AgentPolicies.Auto)
        {
            if (codebase is not null)
            {
                return (placement.Candidates(AgentPolicies.Auto, capabilities, null, codebase: codebase) is [var fit, ..] ? fit.Id : null)
                    ?? throw new AgentException(AgentError.Conflict, placement.NoRoom(AgentPolicies.Auto, capabilities, codebase), "placement");
            }

            if (registry.BestNodes(capabilities).Count == 0)
            {
                throw new AgentException(AgentError.Conflict, capabilities.Count == 0
                    ? "no node is online and taking work (not draining) to place the agent on."
                    : $"no online node that is not draining has the capabilities [{string.Join(", ", capabilities)}].", "placement");
            }

            var best = (placement.Candidates(AgentPolicies.Auto, capabilities, null) is [var first, ..] ? first : null)
                ?? throw new AgentException(AgentError.Conflict, "every online node that fits is full (at its [node] max_agents); free a slot or add a node.", "placement");
            return best.Id;
        }

        var target = requested;
        var node = registry.Get(target)
            ?? throw new AgentException(AgentError.InvalidArgument, $"unknown node '{DisplayText.Truncate(target)}': place the agent on a registered node, or \"auto\".", "placement");
        if (node.Status == NodeStatus.Revoked)
            throw new AgentException(AgentError.InvalidArgument, $"node '{target}' was removed from the hub.", "placement");
        if (node.Draining)
            throw new AgentException(AgentError.Conflict, $"node '{target}' is draining and takes no new work.", "placement");
        return node.Id;
    }

    private AgentView View(AgentDefinition definition) =>
        new(definition, store.Status(definition.Id), sessions.IsConnected(definition.NodeId),
            definition.ReplicaOf is null ? [.. replicas.LiveReplicas(definition.Id).Select(r => new ReplicaView(r, store.Status(r.Name), r.NodeId is not null && sessions.IsConnected(r.NodeId)))] : null);

    /// <summary>An agent by id; a replica's name is refused with where to act instead.</summary>
    private AgentDefinition Require(string id) =>
        store.Find(id)
        ?? (store.Replica(id) is { } replica
            ? throw new AgentException(AgentError.Conflict, $"'{id}' is a replica of agent '{replica.AgentId}': act on '{replica.AgentId}' (its start, stop, restart, kill and changes reach every replica), or scale it.")
            : throw NotFound(id));

    private static AgentException NotFound(string id) => new(AgentError.NotFound, $"agent '{DisplayText.Truncate(id)}' does not exist.");
}
