using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Mesh.Core.Protocol;
using Mesh.Hub.Registry;
using Mesh.Hub.Revocation;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Mesh.Hub.Sessions;

/// <summary>
/// The hub's attached node sessions: one per node (a new attach replaces the old stream), dropped at once when
/// the node is revoked or stops sending heartbeats, all closed when the hub stops. Sends commands down them.
/// </summary>
public sealed class NodeSessionManager : IDisposable
{
    private readonly ConcurrentDictionary<string, LiveSession> _sessions = new(StringComparer.Ordinal);
    private readonly NodeSessionOptions _options;
    private readonly RevocationRegistry _revocations;
    private readonly NodeRegistry _registry;
    private readonly ILogger<NodeSessionManager> _logger;
    private readonly CancellationTokenRegistration _stopping;
    private int _count;

    public NodeSessionManager(
        IOptions<NodeSessionOptions> options,
        RevocationRegistry revocations,
        NodeRegistry registry,
        IHostApplicationLifetime lifetime,
        ILogger<NodeSessionManager> logger)
    {
        _options = options.Value;
        _revocations = revocations;
        _registry = registry;
        _logger = logger;
        revocations.NodeRevoked += OnNodeRevoked;
        registry.SessionExpired += OnSessionExpired;
        _stopping = lifetime.ApplicationStopping.Register(CloseAll);
    }

    public int Count => Volatile.Read(ref _count);

    public bool IsConnected(string nodeId) => _sessions.ContainsKey(nodeId);

    /// <summary>Sends a command and waits for its result; <see cref="SessionCommandException"/> if the node is not attached or does not answer.</summary>
    public Task<CommandResult> SendAsync(string nodeId, NodeCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(nodeId, out var session))
            throw new SessionCommandException($"node '{nodeId}' has no live session (it is not connected to this hub)");
        if (string.IsNullOrEmpty(command.Id))
            command.Id = Guid.NewGuid().ToString("N");
        return session.SendAsync(command, timeout, cancellationToken);
    }

    /// <summary>Round trip over the live session: a ping, answered by the node.</summary>
    public async Task<TimeSpan> PingAsync(string nodeId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await SendAsync(nodeId, new NodeCommand { Ping = new PingCommand { SentAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) } }, timeout, cancellationToken);
        if (!result.Ok)
            throw new SessionCommandException($"node '{nodeId}' answered the ping with an error: {result.Error}");
        return Stopwatch.GetElapsedTime(started);
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
        LiveSession? previous = null;
        _sessions.AddOrUpdate(session.NodeId, session, (_, old) =>
        {
            previous = old;
            return session;
        });
        if (previous is not null)
        {
            previous.Close(new Status(StatusCode.Aborted, "replaced by a newer session of the same node"));
        }

        return true;
    }

    internal void Unregister(LiveSession session)
    {
        Interlocked.Decrement(ref _count);
        _sessions.TryRemove(new KeyValuePair<string, LiveSession>(session.NodeId, session));
    }

    public void Dispose()
    {
        _revocations.NodeRevoked -= OnNodeRevoked;
        _registry.SessionExpired -= OnSessionExpired;
        _stopping.Dispose();
    }

    private void OnNodeRevoked(string nodeId)
    {
        if (!_sessions.TryGetValue(nodeId, out var session))
            return;
        var at = _revocations.NodeRevokedAt(nodeId) ?? DateTimeOffset.UtcNow;
        SessionLog.Dropped(_logger, nodeId, "node revoked");
        session.Close(new Status(StatusCode.Unauthenticated, $"certificate revoked: node was removed from the hub at {at:O}"));
    }

    private void OnSessionExpired(string nodeId, long generation)
    {
        if (_sessions.TryGetValue(nodeId, out var session) && session.Generation == generation)
        {
            SessionLog.Dropped(_logger, nodeId, "no heartbeats");
            session.Close(new Status(StatusCode.Unavailable, "no heartbeat received for too long; reconnect"));
        }
    }

    private void CloseAll()
    {
        foreach (var session in _sessions.Values)
            session.Close(new Status(StatusCode.Unavailable, "the hub is shutting down; reconnect"));
    }
}
