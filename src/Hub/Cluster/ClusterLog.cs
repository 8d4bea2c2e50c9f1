namespace Mesh.Hub.Cluster;

internal static partial class ClusterLog
{
    [LoggerMessage(EventId = 8001, EventName = "BusListening", Level = LogLevel.Information, Message = "Cluster bus listening (PostgreSQL backend {ProcessId}); subscribers re-read what they follow")]
    public static partial void Listening(ILogger logger, int processId);

    [LoggerMessage(EventId = 8002, EventName = "BusListenerLost", Level = LogLevel.Warning, Message = "Cluster bus lost its listening connection: {Error}; reconnecting in {DelaySeconds:0.0} s")]
    public static partial void ListenerLost(ILogger logger, string error, double delaySeconds);

    [LoggerMessage(EventId = 8003, EventName = "BusHandlerFailed", Level = LogLevel.Warning, Message = "A cluster bus subscriber of channel {Channel} failed: {Error}")]
    public static partial void HandlerFailed(ILogger logger, string channel, string error);
}
