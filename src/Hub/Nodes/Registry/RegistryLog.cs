namespace Mesh.Hub.Nodes.Registry;

internal static partial class RegistryLog
{
    [LoggerMessage(EventId = 5001, EventName = "RegistryLoaded", Level = LogLevel.Information, Message = "Node registry loaded: {Count} node(s), {Reset} marked offline until they reconnect")]
    public static partial void Loaded(ILogger logger, int count, int reset);

    [LoggerMessage(EventId = 5002, EventName = "NodeStatusChanged", Level = LogLevel.Information, Message = "Node {NodeId}: {From} -> {To} ({Reason})")]
    public static partial void StatusChanged(ILogger logger, string nodeId, NodeStatus from, NodeStatus to, string reason);

    [LoggerMessage(EventId = 5003, EventName = "FlushFailed", Level = LogLevel.Warning, Message = "Writing live state of {Count} node(s) failed; retrying: {Reason}")]
    public static partial void FlushFailed(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 5004, EventName = "NodeChangesNotAnnounced", Level = LogLevel.Warning, Message = "Telling the other hubs of node changes failed ({Reason}); they catch up with the next change")]
    public static partial void AnnounceFailed(ILogger logger, string reason);
}
