using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Mesh.Core.Protocol;
using Mesh.Hub.Nodes.Registry;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Mesh.Hub.Nodes.Sessions;

/// <summary>
/// The hub's attached node sessions: one per node (a new attach replaces the old stream), dropped at once when
/// the node is removed (<see cref="CloseRemoved"/>) or stops sending heartbeats (the registry's
/// <see cref="INodeSessionExpiry"/>), all closed when the hub stops. Sends commands down them, and through
/// <see cref="ISessionRouter"/> to the hub that holds the session when it is not here (several hubs on PostgreSQL).
/// </summary>
public sealed class NodeSessionManager : INodeSessionExpiry, IDisposable
{
    private readonly ConcurrentDictionary<string, LiveSession> _sessions = new(StringComparer.Ordinal);
    private readonly NodeSessionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<NodeSessionManager> _logger;
    private readonly CancellationTokenRegistration _stopping;
    private readonly SessionMetrics _metrics;
    private readonly ISessionRouter _router;
    private int _count;

    public NodeSessionManager(IOptions<NodeSessionOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, SessionMetrics metrics, ISessionRouter router, ILogger<NodeSessionManager> logger)
    {
        _metrics = metrics;
        _router = router;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _stopping = lifetime.ApplicationStopping.Register(CloseAll);
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Whether the node has a live session, on this hub or (several hubs) on another live one.</summary>
    public bool IsConnected(string nodeId) => _sessions.ContainsKey(nodeId) || _router.HeldElsewhere(nodeId);

    /// <summary>The node ids whose sessions this hub holds.</summary>
    public IReadOnlyCollection<string> LocalNodes => [.. _sessions.Keys];

    /// <summary>
    /// Sends a command and waits for its result, down the session here or through the hub that holds it;
    /// <see cref="SessionCommandException"/> if the node is not attached anywhere or does not answer.
    /// </summary>
    public Task<CommandResult> SendAsync(string nodeId, NodeCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(command.Id))
            command.Id = Guid.NewGuid().ToString("N");
        return _sessions.TryGetValue(nodeId, out var session)
            ? session.SendAsync(command, timeout, cancellationToken)
            : _router.SendElsewhereAsync(nodeId, command, timeout, cancellationToken);
    }

    internal bool TryGetLocal(string nodeId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LiveSession? session) => _sessions.TryGetValue(nodeId, out session);

    /// <summary>Round trip over the live session: a ping, answered by the node.</summary>
    public async Task<TimeSpan> PingAsync(string nodeId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var result = await SendAsync(nodeId, new NodeCommand { Ping = new PingCommand { SentAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow()) } }, timeout, cancellationToken);
        if (!result.Ok)
            throw new SessionCommandException($"node '{nodeId}' answered the ping with an error: {result.Error}");
        return _time.GetElapsedTime(started);
    }

    internal bool TryRegister(LiveSession session, out string? refusal)
    {
        if (Interlocked.Increment(ref _count) > _options.MaxSessions)
        {
            Interlocked.Decrement(ref _count);
            refusal = $"the hub already serves {_options.MaxSessions} node sessions";
            return false;
        }

        refusal = null;
        _metrics.Attached();
        LiveSession? previous = null;
        _sessions.AddOrUpdate(session.NodeId, session, (_, old) =>
        {
            previous = old;
            return session;
        });
        if (previous is not null)
        {
            _metrics.Dropped("replaced");
            previous.Close(new Status(StatusCode.Aborted, "replaced by a newer session of the same node"));
        }

        return true;
    }

    internal void Unregister(LiveSession session)
    {
        Interlocked.Decrement(ref _count);
        _metrics.Detached();
        _sessions.TryRemove(new KeyValuePair<string, LiveSession>(session.NodeId, session));
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>The node was removed at <paramref name="removedAt"/>: its session ends, telling it why.</summary>
    public void CloseRemoved(string nodeId, DateTimeOffset removedAt)
    {
        if (!_sessions.TryGetValue(nodeId, out var session) || session.CloseStatus is not null)
            return;
        SessionLog.Dropped(_logger, nodeId, "node revoked");
        _metrics.Dropped("revoked");
        session.Close(new Status(StatusCode.Unauthenticated, $"certificate revoked: node was removed from the hub at {Mesh.Core.TimeText.Iso(removedAt)}"));
    }

    /// <summary>The registry found the node silent for too long: that session (if still the current one) ends.</summary>
    public void SessionExpired(string nodeId, long generation)
    {
        if (_sessions.TryGetValue(nodeId, out var session) && session.Generation == generation)
        {
            SessionLog.Dropped(_logger, nodeId, "no heartbeats");
            _metrics.Dropped("heartbeat_timeout");
            session.Close(new Status(StatusCode.Unavailable, "no heartbeat received for too long; reconnect"));
        }
    }

    private void CloseAll()
    {
        foreach (var session in _sessions.Values)
        {
            _metrics.Dropped("shutdown");
            session.Close(new Status(StatusCode.Unavailable, "the hub is shutting down; reconnect"));
        }
    }
}
