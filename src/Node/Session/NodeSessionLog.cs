using Microsoft.Extensions.Logging;

namespace Mesh.Node.Session;

internal static partial class NodeSessionLog
{
    [LoggerMessage(EventId = 4201, EventName = "SessionAttached", Level = LogLevel.Information, Message = "Session with the hub attached (heartbeat every {Interval})")]
    public static partial void Attached(ILogger logger, TimeSpan interval);

    [LoggerMessage(EventId = 4202, EventName = "SessionLost", Level = LogLevel.Warning, Message = "Session with hub {Hub} ended ({Reason}); reconnecting in {Delay} to {Next}")]
    public static partial void Lost(ILogger logger, Uri hub, string reason, TimeSpan delay, Uri next);

    [LoggerMessage(EventId = 4203, EventName = "CommandReceived", Level = LogLevel.Debug, Message = "Command {CommandId} ({Kind}) from the hub")]
    public static partial void Command(ILogger logger, string commandId, Mesh.Core.Protocol.NodeCommand.KindOneofCase kind);

    [LoggerMessage(EventId = 4204, EventName = "DrainChanged", Level = LogLevel.Information, Message = "Drain {State} by the hub")]
    public static partial void Drain(ILogger logger, string state);

    [LoggerMessage(EventId = 4205, EventName = "UnknownHubMessage", Level = LogLevel.Warning, Message = "The hub sent a message this node does not know ({Kind}); upgrade the node")]
    public static partial void UnknownMessage(ILogger logger, string kind);
}
