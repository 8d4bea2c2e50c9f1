using Mesh.Core.Protocol;
using Mesh.Hub.Audit;
using Mesh.Hub.Nodes.Sessions;

namespace Mesh.Hub.Agents;

/// <summary>
/// The agents' share of a node's session on the hub: the node's agent set when it attaches, and its status events —
/// stored in order, once (a sequence already stored is skipped), each only for an agent placed on that node (others
/// are refused and audited) — acknowledged so the node can drop them.
/// </summary>
public sealed class AgentSessionPart(AgentStore store, AgentPush push, IAuditLog audit, IEnumerable<IAgentChangeListener> listeners,
    AgentMetrics metrics, ILogger<AgentSessionPart> logger) : IHubSessionPart
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _epochs = new(StringComparer.Ordinal);

    public Task OnAttachedAsync(IHubSessionChannel session, NodeHello hello, CancellationToken cancellationToken)
    {
        _epochs[session.NodeId] = hello.AgentEventsEpoch;
        return push.PushAsync(session.NodeId, cancellationToken);
    }

    public async ValueTask<bool> TryHandleAsync(IHubSessionChannel session, NodeMessage message, CancellationToken cancellationToken)
    {
        if (message.BodyCase != NodeMessage.BodyOneofCase.AgentEvents)
            return false;
        var nodeId = session.NodeId;
        var epoch = _epochs.GetValueOrDefault(nodeId, "");
        var cursor = await store.CursorAsync(nodeId, epoch, cancellationToken);
        var accepted = new List<AgentStatus>();
        var last = cursor;
        foreach (var agentEvent in message.AgentEvents.Events.OrderBy(e => e.Sequence))
        {
            if (agentEvent.Sequence <= last || agentEvent.Status is null)
                continue;
            last = agentEvent.Sequence;
            var agent = store.FindRunnable(agentEvent.Status.AgentId);
            if (agent is null)
            {
                // Made a moment ago through another hub, before this one heard: read again once before skipping it.
                await store.ReloadAsync(cancellationToken);
                agent = store.FindRunnable(agentEvent.Status.AgentId);
            }

            if (agent is null)
                continue; // deleted on the hub: the node's last words about it
            if (agent.NodeId != nodeId)
            {
                AgentsLog.Forged(logger, nodeId, agent.Id, agent.NodeId);
                await audit.RecordAsync("node:" + nodeId, AuditActions.AgentEventRefused, agent.Id, null, $"placed on {agent.NodeId}", cancellationToken);
                continue;
            }

            accepted.Add(agentEvent.Status);
        }

        if (last > cursor)
        {
            await store.RecordAsync(nodeId, epoch, accepted, last, cancellationToken);
            metrics.Recorded(accepted);
        }

        session.TryEnqueue(new HubMessage { AgentEventsAck = new AgentEventsAck { UpToSequence = Math.Max(last, cursor) } });
        foreach (var agentId in accepted.Select(s => s.AgentId).Distinct(StringComparer.Ordinal))
        {
            foreach (var listener in listeners)
                listener.AgentChanged(agentId);
        }

        return true;
    }
}

/// <summary>Told when an agent's definition or status changed (the live pages).</summary>
public interface IAgentChangeListener
{
    void AgentChanged(string agentId);
}
