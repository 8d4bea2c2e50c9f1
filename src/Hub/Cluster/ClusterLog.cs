namespace Mesh.Hub.Cluster;

internal static partial class ClusterLog
{
    [LoggerMessage(EventId = 8001, EventName = "BusListening", Level = LogLevel.Information, Message = "Cluster bus listening (PostgreSQL backend {ProcessId}); subscribers re-read what they follow")]
    public static partial void Listening(ILogger logger, int processId);

    [LoggerMessage(EventId = 8002, EventName = "BusListenerLost", Level = LogLevel.Warning, Message = "Cluster bus lost its listening connection: {Error}; reconnecting in {DelaySeconds:0.0} s")]
    public static partial void ListenerLost(ILogger logger, string error, double delaySeconds);

    [LoggerMessage(EventId = 8003, EventName = "BusHandlerFailed", Level = LogLevel.Warning, Message = "A cluster bus subscriber of channel {Channel} failed: {Error}")]
    public static partial void HandlerFailed(ILogger logger, string channel, string error);

    [LoggerMessage(EventId = 8004, EventName = "LeaseTaken", Level = LogLevel.Information, Message = "Hub {HubId} holds its lease ({LeaseSeconds} s, renewed while it runs)")]
    public static partial void LeaseTaken(ILogger logger, string hubId, double leaseSeconds);

    [LoggerMessage(EventId = 8005, EventName = "LeaseNotRenewed", Level = LogLevel.Warning, Message = "Hub {HubId} could not renew its lease: {Error}; other hubs treat its sessions as gone once it expires")]
    public static partial void LeaseNotRenewed(ILogger logger, string hubId, string error);

    [LoggerMessage(EventId = 8006, EventName = "LeaseNotDropped", Level = LogLevel.Warning, Message = "Hub {HubId} could not drop its lease at shutdown: {Error}; it expires on its own")]
    public static partial void LeaseNotDropped(ILogger logger, string hubId, string error);
}
