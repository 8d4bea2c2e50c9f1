using Google.Protobuf.WellKnownTypes;
using Mesh.Core.Auth;
using Mesh.Core.Configuration;
using Mesh.Core.Protocol;
using Mesh.Hub.InternalApi;
using Mesh.Hub.Nodes.Registry;
using Grpc.Core;
using SessionGrpc = Mesh.Core.Protocol.NodeSession;
using Microsoft.Extensions.Options;

namespace Mesh.Hub.Nodes.Sessions;

/// <summary>mesh.v1.NodeSession/Attach on the internal listener: the hub side of a node's long-lived stream.</summary>
internal sealed class SessionRpcService : SessionGrpc.NodeSessionBase
{
    private readonly NodeSessionManager _sessions;
    private readonly NodeRegistry _registry;
    private readonly ReconnectLimiter _limiter;
    private readonly HeartbeatLimiter _heartbeats;
    private readonly HubIdentity _identity;
    private readonly NodeSessionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionRpcService> _logger;
    private readonly IHubSessionPart[] _parts;
    private readonly SessionMetrics _metrics;
    private readonly ISessionRouter _router;

    public SessionRpcService(
        NodeSessionManager sessions,
        NodeRegistry registry,
        ReconnectLimiter limiter,
        HeartbeatLimiter heartbeats,
        HubIdentity identity,
        IOptions<NodeSessionOptions> options,
        TimeProvider time,
        IEnumerable<IHubSessionPart> parts,
        SessionMetrics metrics,
        ISessionRouter router,
        ILogger<SessionRpcService> logger)
    {
        _router = router;
        _metrics = metrics;
        _parts = [.. parts];
        _sessions = sessions;
        _registry = registry;
        _limiter = limiter;
        _heartbeats = heartbeats;
        _identity = identity;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public override async Task Attach(IAsyncStreamReader<NodeMessage> requests, IServerStreamWriter<HubMessage> responses, ServerCallContext context)
    {
        var caller = context.GetCaller();
        if (caller.Scope != CallerScope.Node || caller.NodeId is not { } nodeId)
            throw Refuse(context, caller.Subject, new RpcException(new Status(StatusCode.PermissionDenied, "only nodes attach a session")));
        if (!_limiter.TryAcquire(nodeId, out var retryAfter))
            throw Refuse(context, nodeId, new RpcException(new Status(StatusCode.ResourceExhausted, $"node '{nodeId}' reconnects too often; retry in {Math.Ceiling(retryAfter.TotalSeconds)} s")));

        var hello = await ReadHelloAsync(requests, nodeId, context);
        var facts = Facts(hello.Facts);
        var generation = _registry.Attach(nodeId, facts, hello.Agents.Count, hello.Draining)
            ?? throw Refuse(context, nodeId, _registry.Get(nodeId) is null
                ? new RpcException(new Status(StatusCode.NotFound, $"node '{nodeId}' is not registered on this hub; enroll again with a join token"))
                : new RpcException(new Status(StatusCode.Unauthenticated, "certificate revoked: node was removed from the hub")));

        using var session = new LiveSession(nodeId, generation, _options, context.CancellationToken);
        if (!_sessions.TryRegister(session, out var refusal))
        {
            _registry.Detach(nodeId, generation);
            throw Refuse(context, nodeId, new RpcException(new Status(StatusCode.Unavailable, refusal!)));
        }

        SessionLog.Attached(_logger, nodeId, context.Peer, generation);
        var reason = "node closed the stream";
        Task? writer = null;
        try
        {
            await RecordAsync(() => _router.AttachedAsync(nodeId, generation, session.Token), nodeId, "record that this hub holds the session");
            session.TryEnqueue(new HubMessage
            {
                Welcome = new SessionWelcome
                {
                    NodeId = nodeId,
                    ClusterId = _identity.ClusterId,
                    HeartbeatInterval = Duration.FromTimeSpan(_registry.Options.HeartbeatInterval),
                    ServerTime = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
                },
            });
            writer = session.RunWriterAsync(responses);
            foreach (var part in _parts)
                _ = AttachPartAsync(part, session, hello);
            await ReadLoopAsync(requests, session);
        }
        catch (OperationCanceledException) when (session.CloseStatus is { } status)
        {
            reason = status.Detail;
            throw new RpcException(status);
        }
        catch (RpcException ex)
        {
            reason = ex.Status.Detail;
            throw;
        }
        catch (OperationCanceledException)
        {
            reason = "stream reset";
            throw;
        }
        finally
        {
            _sessions.Unregister(session);
            await RecordAsync(() => _router.DetachedAsync(nodeId, generation, CancellationToken.None), nodeId, "clear that this hub holds the session");
            _registry.Detach(nodeId, generation);
            _heartbeats.Forget(nodeId, generation);
            session.Close(new Status(StatusCode.Cancelled, reason));
            if (writer is not null)
            {
                try
                {
                    await writer;
                }
                catch (Exception ex) when (ex is OperationCanceledException or RpcException or InvalidOperationException or IOException)
                {
                }
            }

            SessionLog.Ended(_logger, nodeId, generation, reason);
        }
    }

    private async Task<NodeHello> ReadHelloAsync(IAsyncStreamReader<NodeMessage> requests, string nodeId, ServerCallContext context)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        timeout.CancelAfter(_options.HelloTimeout);
        bool read;
        try
        {
            read = await requests.MoveNext(timeout.Token);
        }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
        {
            throw Refuse(context, nodeId, new RpcException(new Status(StatusCode.DeadlineExceeded, $"no hello within {_options.HelloTimeout.TotalSeconds:0} s")));
        }

        if (!read)
            throw Refuse(context, nodeId, new RpcException(new Status(StatusCode.InvalidArgument, "the stream ended before the hello")));
        if (requests.Current.BodyCase != NodeMessage.BodyOneofCase.Hello)
            throw Refuse(context, nodeId, new RpcException(new Status(StatusCode.InvalidArgument, $"the first message must be a hello, not {requests.Current.BodyCase}")));
        var hello = requests.Current.Hello;
        if (!string.Equals(hello.NodeId, nodeId, StringComparison.Ordinal))
            throw Refuse(context, nodeId, new RpcException(new Status(StatusCode.PermissionDenied, $"hello names node '{DisplayText.Truncate(hello.NodeId)}' but the caller is node '{nodeId}'")));
        return hello;
    }

    private async Task ReadLoopAsync(IAsyncStreamReader<NodeMessage> requests, LiveSession session)
    {
        long? lastBeat = null;
        while (await requests.MoveNext(session.Token))
        {
            var message = requests.Current;
            switch (message.BodyCase)
            {
                case NodeMessage.BodyOneofCase.Heartbeat:
                    var beat = message.Heartbeat;
                    if (!string.Equals(beat.NodeId, session.NodeId, StringComparison.Ordinal))
                        throw Drop(session, new RpcException(new Status(StatusCode.PermissionDenied, $"heartbeat for node '{DisplayText.Truncate(beat.NodeId)}' on node '{session.NodeId}'s session")));
                    if (!_heartbeats.TryAcquire(session.NodeId, session.Generation))
                        throw Drop(session, new RpcException(new Status(StatusCode.ResourceExhausted, $"heartbeats arrive faster than {_options.HeartbeatsPerSecond:0.#}/s; reconnect and send one every {_registry.Options.HeartbeatInterval.TotalSeconds:0} s")));
                    var metrics = new NodeMetrics(default, Math.Clamp(beat.CpuUsage, 0, 1), Math.Max(0, beat.MemoryFreeBytes), Math.Max(0, beat.MemoryTotalBytes),
                        Math.Max(0, beat.DiskFreeBytes), Math.Max(0, beat.DiskTotalBytes), Math.Max(0, beat.ProcessCount))
                    {
                        Worktrees = beat.Worktrees is { } w
                            ? new NodeWorktreeUsage(w.DefaultRoot.Length == 0 ? null : DisplayText.Truncate(w.DefaultRoot, 1024), Math.Max(0, w.Bytes), Math.Max(0, w.Count),
                                Math.Max(0, w.Kept), Math.Max(0, w.QuotaBytes), w.MeasuredAt?.ToDateTimeOffset())
                            : null,
                    };
                    var problems = beat.Problems.Take(8).Select(p => DisplayText.Truncate(p, 200)).ToList();
                    if (!_registry.Heartbeat(session.NodeId, session.Generation, metrics, problems, beat.Draining, beat.RunningAgents, Math.Max(0, beat.MaxAgents)))
                        throw Drop(session, new RpcException(new Status(StatusCode.Aborted, "this session is no longer the node's current one")));
                    if (lastBeat is { } previous)
                        _metrics.HeartbeatArrived(_time.GetElapsedTime(previous));
                    lastBeat = _time.GetTimestamp();
                    break;
                case NodeMessage.BodyOneofCase.Result:
                    session.Complete(message.Result);
                    break;
                case NodeMessage.BodyOneofCase.Hello:
                    throw Drop(session, new RpcException(new Status(StatusCode.InvalidArgument, "hello sent twice on one stream")));
                default:
                    if (!await HandledByPartAsync(session, message))
                        throw Drop(session, new RpcException(new Status(StatusCode.InvalidArgument, "empty or unknown message on the session stream")));
                    break;
            }
        }
    }

    private async ValueTask<bool> HandledByPartAsync(LiveSession session, NodeMessage message)
    {
        foreach (var part in _parts)
        {
            if (await part.TryHandleAsync(session, message, session.Token))
                return true;
        }

        return false;
    }

    // A part's start-of-session work runs beside the read loop; its failure is logged, never the session's end.
    private async Task AttachPartAsync(IHubSessionPart part, LiveSession session, NodeHello hello)
    {
        try
        {
            await part.OnAttachedAsync(session, hello, session.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SessionLog.PartFailed(_logger, session.NodeId, part.GetType().Name, ex.Message);
        }
    }

    // Where the session is held is for other hubs to route commands; the session itself works without it (a hub that
    // cannot write it is also losing its lease, and the record of a session that ended expires with the lease).
    private async Task RecordAsync(Func<Task> write, string nodeId, string what)
    {
        try
        {
            await write();
        }
        catch (Exception ex) when (ex is Storage.StoreException or System.Data.Common.DbException or TimeoutException or OperationCanceledException)
        {
            SessionLog.OwnershipNotRecorded(_logger, nodeId, what, ex.Message);
        }
    }

    private static NodeReportedFacts Facts(SystemFacts? facts)
    {
        facts ??= new SystemFacts();
        return new NodeReportedFacts(
            NullIfEmpty(DisplayText.Truncate(facts.Hostname, 253)),
            NullIfEmpty(DisplayText.Truncate(facts.Platform, 64)),
            NullIfEmpty(DisplayText.Truncate(facts.Arch, 32)),
            Math.Max(0, facts.CpuCount),
            Math.Max(0, facts.MemoryBytes),
            NullIfEmpty(DisplayText.Truncate(facts.Version, 64)),
            facts.Capabilities.Where(Capabilities.IsValid).Distinct(StringComparer.Ordinal).Take(64).ToList());
    }

    private RpcException Refuse(ServerCallContext context, string nodeId, RpcException ex)
    {
        SessionLog.Refused(_logger, context.Peer, DisplayText.Truncate(nodeId), ex.Status.Detail);
        return ex;
    }

    private RpcException Drop(LiveSession session, RpcException ex)
    {
        SessionLog.Dropped(_logger, session.NodeId, ex.Status.Detail);
        return ex;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
