namespace Mesh.Hub.Nodes;

internal static partial class NodesLog
{
    [LoggerMessage(EventId = 3004, EventName = "NodeRevoked", Level = LogLevel.Warning, Message = "Node {NodeId} removed by {Actor}; {Count} certificate(s) revoked")]
    public static partial void Removed(ILogger logger, string nodeId, string actor, int count);
}
