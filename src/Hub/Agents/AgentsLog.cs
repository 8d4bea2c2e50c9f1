namespace Mesh.Hub.Agents;

internal static partial class AgentsLog
{
    [LoggerMessage(EventId = 7001, EventName = "AgentPushRefused", Level = LogLevel.Warning, Message = "Node {NodeId} refused its agent set: {Error}")]
    public static partial void PushRefused(ILogger logger, string nodeId, string error);

    [LoggerMessage(EventId = 7002, EventName = "AgentPushFailed", Level = LogLevel.Information, Message = "Agent set not delivered to node {NodeId} ({Reason}); it gets it when it attaches")]
    public static partial void PushFailed(ILogger logger, string nodeId, string reason);

    [LoggerMessage(EventId = 7003, EventName = "AgentEventForged", Level = LogLevel.Warning, Message = "Node {NodeId} reported agent {AgentId}, which is placed on {PlacedOn}: ignored")]
    public static partial void Forged(ILogger logger, string nodeId, string agentId, string placedOn);

    [LoggerMessage(EventId = 7004, EventName = "AgentChanged", Level = LogLevel.Information, Message = "Agent {AgentId}: {Action} by {Actor}")]
    public static partial void Changed(ILogger logger, string agentId, string action, string actor);

    [LoggerMessage(EventId = 7005, EventName = "AgentsReloadFailed", Level = LogLevel.Warning, Message = "Could not read the agents another hub changed: {Error}; the next change or reconnect reads them again")]
    public static partial void ReloadFailed(ILogger logger, string error);
}
