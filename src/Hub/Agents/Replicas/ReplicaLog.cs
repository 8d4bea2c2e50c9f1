namespace Mesh.Hub.Agents.Replicas;

internal static partial class ReplicaLog
{
    [LoggerMessage(EventId = 7201, EventName = "AgentScaled", Level = LogLevel.Information, Message = "Agent {AgentId} scaled from {From} to {To} replicas by {Actor}")]
    public static partial void Scaled(ILogger logger, string agentId, int from, int to, string actor);

    [LoggerMessage(EventId = 7202, EventName = "ReplicaPlaced", Level = LogLevel.Information, Message = "Replica {Replica} of agent {AgentId} placed on node {NodeId}")]
    public static partial void Placed(ILogger logger, string replica, string agentId, string nodeId);

    [LoggerMessage(EventId = 7203, EventName = "ReplicaRemoved", Level = LogLevel.Information, Message = "Replica {Replica} of agent {AgentId} removed (drained)")]
    public static partial void Removed(ILogger logger, string replica, string agentId);

    [LoggerMessage(EventId = 7204, EventName = "ReplicaReconcileFailed", Level = LogLevel.Warning, Message = "Replica reconciliation failed; tried again shortly")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception);
}
