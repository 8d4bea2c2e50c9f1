using Google.Protobuf.WellKnownTypes;
using Mesh.Core.Protocol;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.Session;

/// <summary>Ping: the node's clock, for round trips and skew.</summary>
internal sealed class PingCommandHandler(TimeProvider time) : INodeCommandHandler
{
    public NodeCommand.KindOneofCase Kind => NodeCommand.KindOneofCase.Ping;

    public ValueTask HandleAsync(NodeCommand command, CommandResult result, CancellationToken cancellationToken)
    {
        result.Pong = new PongResult { NodeTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()) };
        return ValueTask.CompletedTask;
    }
}

/// <summary>Test connection: the node's clock, version and drain state.</summary>
internal sealed class TestConnectionCommandHandler(TimeProvider time, NodeDrainState drain) : INodeCommandHandler
{
    public NodeCommand.KindOneofCase Kind => NodeCommand.KindOneofCase.TestConnection;

    public ValueTask HandleAsync(NodeCommand command, CommandResult result, CancellationToken cancellationToken)
    {
        result.TestConnection = new TestConnectionResult
        {
            NodeTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            Version = typeof(NodeSessionLoop).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            Draining = drain.Draining,
        };
        return ValueTask.CompletedTask;
    }
}

/// <summary>Drain: start or lift taking no new work.</summary>
internal sealed class DrainCommandHandler(NodeDrainState drain, ILogger<DrainCommandHandler> logger) : INodeCommandHandler
{
    public NodeCommand.KindOneofCase Kind => NodeCommand.KindOneofCase.Drain;

    public ValueTask HandleAsync(NodeCommand command, CommandResult result, CancellationToken cancellationToken)
    {
        drain.Set(command.Drain.Drain);
        NodeSessionLog.Drain(logger, drain.Draining ? "started" : "lifted");
        result.Drain = new DrainResult { Draining = drain.Draining };
        return ValueTask.CompletedTask;
    }
}
