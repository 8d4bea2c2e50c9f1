namespace Mesh.Hub.Nodes.Sessions;

internal static partial class SessionLog
{
    [LoggerMessage(EventId = 5101, EventName = "SessionAttached", Level = LogLevel.Information, Message = "Node {NodeId} attached from {Peer} (session {Generation})")]
    public static partial void Attached(ILogger logger, string nodeId, string peer, long generation);

    [LoggerMessage(EventId = 5102, EventName = "SessionEnded", Level = LogLevel.Information, Message = "Node {NodeId} session {Generation} ended: {Reason}")]
    public static partial void Ended(ILogger logger, string nodeId, long generation, string reason);

    [LoggerMessage(EventId = 5103, EventName = "SessionRefused", Level = LogLevel.Warning, Message = "Refused a session from {Peer} (node {NodeId}): {Reason}")]
    public static partial void Refused(ILogger logger, string peer, string nodeId, string reason);

    [LoggerMessage(EventId = 5104, EventName = "SessionDropped", Level = LogLevel.Warning, Message = "Dropped node {NodeId}'s session: {Reason}")]
    public static partial void Dropped(ILogger logger, string nodeId, string reason);

    [LoggerMessage(EventId = 5105, EventName = "SessionPartFailed", Level = LogLevel.Warning, Message = "Session of node {NodeId}: {Part} failed at attach: {Error}")]
    public static partial void PartFailed(ILogger logger, string nodeId, string part, string error);

    [LoggerMessage(EventId = 5106, EventName = "SessionOwnershipNotRecorded", Level = LogLevel.Warning, Message = "Node {NodeId}: could not {What}: {Error}")]
    public static partial void OwnershipNotRecorded(ILogger logger, string nodeId, string what, string error);
}
