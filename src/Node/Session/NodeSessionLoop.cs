using System.Diagnostics;
using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Mesh.Core.Configuration;
using Mesh.Core.Protocol;
using Mesh.Node.Connection;
using Mesh.Node.Join;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.Session;

/// <summary>
/// The node's one stream to the hub (mesh.v1.NodeSession/Attach): hello, heartbeats, answers to commands. When it
/// ends, <see cref="NodeAgent"/> reconnects (to the next hub listed, with backoff); the node stops only when the hub
/// says it was removed or no longer knows it. The node's work goes on while the hub is away.
/// </summary>
internal sealed class NodeSessionLoop(MeshConfig config, IEnumerable<INodeCommandHandler> handlers, IEnumerable<INodeSessionPart> parts, NodeDrainState drain,
    TimeProvider time, NodeSessionMetrics sessionMetrics, ILogger<NodeSessionLoop> logger)
{
    private readonly INodeSessionPart[] _parts = [.. parts];
    private static readonly TimeSpan HealthySession = TimeSpan.FromSeconds(5);
    private readonly SystemMetrics _metrics = new(config.Server.DataDir);
    private readonly Dictionary<NodeCommand.KindOneofCase, INodeCommandHandler> _handlers = handlers.ToDictionary(h => h.Kind);
    private ulong _sequence;

    // The newest heartbeat put in its lane: its sequence and when (the lane holds one, so the pump writes this one next).
    private (ulong Sequence, long At) _queuedBeat;
    private readonly Lock _beatLock = new();

    /// <summary>
    /// One session on <paramref name="connection"/>, from hello to its end. Always ends with an exception:
    /// <see cref="HubSessionLostException"/> when the hub ends it or goes away (the caller reconnects, perhaps to another
    /// hub), <see cref="NodeStopException"/> when the hub says this node was removed, cancellation when stopped.
    /// </summary>
    public async Task RunAsync(IHubConnection connection, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = Stopwatch.GetTimestamp();
        string reason;
        var attached = false;
        try
        {
            await AttachOnceAsync(connection, () => attached = true, cancellationToken);
            reason = "the hub ended the session";
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Stopping (shutdown, renewal): the stream ending because of it is no lost session to report or retry.
            throw new OperationCanceledException("the node session was stopped", ex, cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated && ex.Status.Detail.StartsWith("certificate revoked", StringComparison.Ordinal))
        {
            throw new NodeStopException(ex.Status.Detail + "; this node must be re-admitted with a join token bound to its id", ex);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            throw new NodeStopException(ex.Status.Detail, ex);
        }
        catch (RpcException ex)
        {
            reason = $"{ex.StatusCode}: {ex.Status.Detail}";
        }

        sessionMetrics.Lost();
        throw new HubSessionLostException(reason, attached && Stopwatch.GetElapsedTime(started) >= HealthySession);
    }

    /// <summary>One stream, from hello to its end (always ends with an exception saying why).</summary>
    private async Task AttachOnceAsync(IHubConnection connection, Action onWelcome, CancellationToken cancellationToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A session lives for hours: no deadline (the token is checked when the stream opens).
        var options = connection.Call(TimeSpan.FromMinutes(1), session.Token);
        using var call = connection.Session.Attach(new CallOptions(options.Headers, deadline: null, cancellationToken: session.Token));
        var outbound = Channel.CreateBounded<NodeMessage>(new BoundedChannelOptions(64) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        // Heartbeats have a lane of their own, latest first: no queue of answers or events ever holds one back.
        var beats = Channel.CreateBounded<NodeMessage>(new BoundedChannelOptions(1) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
        // Bulk data (process output) last: written only when no heartbeat and no control message waits.
        var bulk = Channel.CreateBounded<NodeMessage>(new BoundedChannelOptions(4) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        outbound.Writer.TryWrite(new NodeMessage { Hello = Hello(connection.NodeId) });
        var pump = PumpAsync(beats.Reader, outbound.Reader, bulk.Reader, call.RequestStream, session.Token);
        Task? heartbeats = null;
        var partTasks = new List<Task>();
        try
        {
            if (!await call.ResponseStream.MoveNext(session.Token))
                throw Ended(call);
            if (call.ResponseStream.Current.BodyCase != HubMessage.BodyOneofCase.Welcome)
                throw new RpcException(new Status(StatusCode.Internal, "the hub did not start the session with a welcome"));
            var interval = Clamp(call.ResponseStream.Current.Welcome.HeartbeatInterval?.ToTimeSpan() ?? TimeSpan.FromSeconds(5));
            onWelcome();
            sessionMetrics.Attached();
            NodeSessionLog.Attached(logger, interval);
            heartbeats = HeartbeatsAsync(beats.Writer, connection.NodeId, interval, session.Token);
            var lanes = new SessionLanes((message, token) => outbound.Writer.WriteAsync(message, token), (message, token) => bulk.Writer.WriteAsync(message, token));
            foreach (var part in _parts)
                partTasks.Add(part.RunAsync(lanes, session.Token));

            while (await call.ResponseStream.MoveNext(session.Token))
            {
                var message = call.ResponseStream.Current;
                if (message.BodyCase == HubMessage.BodyOneofCase.Command)
                    await outbound.Writer.WriteAsync(new NodeMessage { Result = await AnswerAsync(message.Command, session.Token) }, session.Token);
                else if (!_parts.Any(p => p.TryHandle(message)))
                    NodeSessionLog.UnknownMessage(logger, message.BodyCase.ToString());
            }

            throw Ended(call);
        }
        finally
        {
            await session.CancelAsync();
            outbound.Writer.TryComplete();
            beats.Writer.TryComplete();
            bulk.Writer.TryComplete();
            await Quietly(pump);
            if (heartbeats is not null)
                await Quietly(heartbeats);
            foreach (var task in partTasks)
                await Quietly(task);
        }
    }

    private NodeHello Hello(string nodeId)
    {
        var hello = new NodeHello
        {
            NodeId = nodeId,
            Facts = SystemFactsReader.Read(config),
            Draining = drain.Draining,
        };
        foreach (var part in _parts)
            part.AddToHello(hello);
        return hello;
    }

    private async Task HeartbeatsAsync(ChannelWriter<NodeMessage> outbound, string nodeId, TimeSpan interval, CancellationToken cancellationToken)
    {
        _metrics.Read(); // primes the CPU delta
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var sample = _metrics.Read();
            var beat = new NodeHeartbeat
            {
                NodeId = nodeId,
                Sequence = ++_sequence,
                CpuUsage = sample.CpuUsage,
                MemoryFreeBytes = sample.MemoryFreeBytes,
                MemoryTotalBytes = sample.MemoryTotalBytes,
                DiskFreeBytes = sample.DiskFreeBytes,
                DiskTotalBytes = sample.DiskTotalBytes,
                ProcessCount = sample.ProcessCount,
                Draining = drain.Draining,
            };
            beat.Problems.AddRange(sample.Problems());
            foreach (var part in _parts)
                part.AddToHeartbeat(beat);
            // A beat not yet sent is replaced by the newer one rather than piled up.
            lock (_beatLock)
                _queuedBeat = (beat.Sequence, time.GetTimestamp());
            outbound.TryWrite(new NodeMessage { Heartbeat = beat });
        }
    }

    private async Task<CommandResult> AnswerAsync(NodeCommand command, CancellationToken cancellationToken)
    {
        NodeSessionLog.Command(logger, command.Id, command.KindCase);
        var result = new CommandResult { CommandId = command.Id, Ok = true };
        if (_handlers.TryGetValue(command.KindCase, out var handler))
        {
            await handler.HandleAsync(command, result, cancellationToken);
            return result;
        }

        result.Ok = false;
        result.Error = $"this node does not know the command '{command.KindCase}'; upgrade it";
        return result;
    }

    /// <summary>Writes the stream's one writer: a waiting heartbeat first, then control messages in order, then bulk data.</summary>
    private async Task PumpAsync(ChannelReader<NodeMessage> beats, ChannelReader<NodeMessage> outbound, ChannelReader<NodeMessage> bulk,
        IClientStreamWriter<NodeMessage> stream, CancellationToken cancellationToken)
    {
        var open = new List<ChannelReader<NodeMessage>> { beats, outbound, bulk };
        while (true)
        {
            if (beats.TryRead(out var message) || outbound.TryRead(out message) || bulk.TryRead(out message))
            {
                await stream.WriteAsync(message, cancellationToken);
                if (message.BodyCase == NodeMessage.BodyOneofCase.Heartbeat)
                    HeartbeatWritten(message.Heartbeat.Sequence);
                continue;
            }

            if (open.Count == 0)
                return;
            var waiting = open.Select(l => l.WaitToReadAsync(cancellationToken).AsTask()).ToArray();
            var first = await Task.WhenAny(waiting);
            if (!await first)
                open.RemoveAt(Array.IndexOf(waiting, first)); // that lane is complete and empty
        }
    }

    private void HeartbeatWritten(ulong sequence)
    {
        (ulong Sequence, long At) queued;
        lock (_beatLock)
            queued = _queuedBeat;
        if (queued.Sequence == sequence)
            sessionMetrics.HeartbeatSent(time.GetElapsedTime(queued.At));
    }

    private static RpcException Ended<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> call)
    {
        var status = call.GetStatus();
        return status.StatusCode == StatusCode.OK
            ? new RpcException(new Status(StatusCode.Unavailable, "the hub ended the session"))
            : new RpcException(status);
    }

    private static TimeSpan Clamp(TimeSpan interval) =>
        interval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : interval > TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : interval;

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException or InvalidOperationException or ChannelClosedException or IOException)
        {
        }
    }
}

/// <summary>The session stream ended (the hub closed it or went away); <see cref="Healthy"/> when it had lasted.</summary>
public sealed class HubSessionLostException(string reason, bool healthy) : Exception("session with the hub ended: " + reason)
{
    public string Reason { get; } = reason;

    /// <summary>The session was welcomed and lasted a while: the hub was fine until now, so reconnect without waiting long.</summary>
    public bool Healthy { get; } = healthy;
}
