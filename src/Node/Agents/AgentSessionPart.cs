using Mesh.Core.Protocol;
using Mesh.Node.Agents.Processes;
using Mesh.Node.Agents.State;
using Mesh.Node.Session;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.Agents;

/// <summary>
/// The agents' share of the session: the running inventory in the hello, agent counts and limits in heartbeats, and
/// the status events sent in order from the store until the hub acknowledges them (then deleted). After a reconnect
/// the unacknowledged ones go again; the hub ignores a sequence it has already stored.
/// </summary>
internal sealed class AgentSessionPart(AgentStore store, AgentSupervisor supervisor, AgentRuntimeOptions options, RunCgroups cgroups,
    Worktrees.WorktreeDiskUsage worktrees, AgentEventSignal signal, TimeProvider time, ILogger<AgentSessionPart> logger) : INodeSessionPart
{
    private const int Batch = 256;
    private const int Window = 1024;
    private ulong _acknowledged;

    public void AddToHello(NodeHello hello)
    {
        hello.Agents.AddRange(supervisor.Inventory);
        hello.AgentEventsEpoch = store.EventsEpoch;
    }

    public void AddToHeartbeat(NodeHeartbeat heartbeat)
    {
        heartbeat.RunningAgents = supervisor.Inventory.Count;
        heartbeat.MaxAgents = options.MaxAgents;
        heartbeat.AgentLimits = cgroups.Description;
        heartbeat.Worktrees = worktrees.ToMessage();
    }

    public async Task RunAsync(SessionLanes lanes, CancellationToken session)
    {
        ulong sent = 0;
        Volatile.Write(ref _acknowledged, 0);
        while (!session.IsCancellationRequested)
        {
            var acknowledged = Volatile.Read(ref _acknowledged);
            var events = sent - Math.Min(sent, acknowledged) < Window ? store.Events(Math.Max(sent, acknowledged), Batch) : [];
            if (events.Count == 0)
            {
                await signal.WaitAsync(TimeSpan.FromSeconds(1), time, session);
                continue;
            }

            var message = new AgentEvents();
            message.Events.AddRange(events);
            await lanes.SendAsync(new NodeMessage { AgentEvents = message }, session);
            sent = events[^1].Sequence;
            AgentLog.EventsSent(logger, events.Count, sent);
        }
    }

    public bool TryHandle(HubMessage message)
    {
        if (message.BodyCase != HubMessage.BodyOneofCase.AgentEventsAck)
            return false;
        var upTo = message.AgentEventsAck.UpToSequence;
        store.Acknowledge(upTo);
        if (upTo > Volatile.Read(ref _acknowledged))
            Volatile.Write(ref _acknowledged, upTo);
        signal.Notify();
        return true;
    }
}
