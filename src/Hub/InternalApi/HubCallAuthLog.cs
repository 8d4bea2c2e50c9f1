namespace Mesh.Hub.InternalApi;

internal static partial class HubCallAuthLog
{
    [LoggerMessage(EventId = 2001, EventName = "CallRejected", Level = LogLevel.Warning,
        Message = "Rejected {Method} from {Peer}: {Reason}")]
    public static partial void Rejected(ILogger logger, string method, string peer, string reason);
}
