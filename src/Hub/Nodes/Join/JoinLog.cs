namespace Mesh.Hub.Nodes.Join;

internal static partial class JoinLog
{
    [LoggerMessage(EventId = 3001, EventName = "NodeEnrolled", Level = LogLevel.Information, Message = "Node {NodeId} enrolled with token {TokenId} from {Source}")]
    public static partial void Enrolled(ILogger logger, string nodeId, string tokenId, string source);

    [LoggerMessage(EventId = 3002, EventName = "EnrollmentRefused", Level = LogLevel.Warning, Message = "Enrollment of node {NodeId} from {Source} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string nodeId, string source, string reason);

    [LoggerMessage(EventId = 3003, EventName = "NodeRenewed", Level = LogLevel.Information, Message = "Node {NodeId} renewed its certificate until {NotAfter}")]
    public static partial void Renewed(ILogger logger, string nodeId, Mesh.Core.IsoTime notAfter);
}
