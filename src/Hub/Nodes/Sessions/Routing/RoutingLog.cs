namespace Mesh.Hub.Nodes.Sessions.Routing;

internal static partial class RoutingLog
{
    [LoggerMessage(EventId = 5201, EventName = "CommandRouted", Level = LogLevel.Debug, Message = "Command {CommandId} ({Kind}) for node {NodeId} routed to hub {HubId}, which holds its session")]
    public static partial void Routed(ILogger logger, string commandId, Mesh.Core.Protocol.NodeCommand.KindOneofCase kind, string nodeId, string hubId);

    [LoggerMessage(EventId = 5202, EventName = "CommandRerouted", Level = LogLevel.Information, Message = "Command {CommandId} for node {NodeId} ended {State} on hub {HubId}; routing it again through whichever hub holds the session now")]
    public static partial void Rerouted(ILogger logger, string commandId, string nodeId, string hubId, string state);

    [LoggerMessage(EventId = 5203, EventName = "RoutedCommandFailed", Level = LogLevel.Warning, Message = "Routed command {CommandId} for node {NodeId}: {Error}")]
    public static partial void Failed(ILogger logger, string commandId, string nodeId, string error);

    [LoggerMessage(EventId = 5204, EventName = "RoutingStoreFailed", Level = LogLevel.Warning, Message = "Session routing could not {Action} for node {NodeId}: {Error}")]
    public static partial void StoreFailed(ILogger logger, string action, string nodeId, string error);
}
