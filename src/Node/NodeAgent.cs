using System.Diagnostics;
using System.Net.Http;
using Mesh.Core.Configuration;
using Mesh.Core.Protocol;
using Mesh.Node.Connection;
using Mesh.Node.Identity;
using Mesh.Node.Join;
using Mesh.Node.Hosting;
using Mesh.Node.Session;
using Mesh.Pki;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Mesh.Node;

/// <summary>
/// The node's hub connection loop: enroll if needed, then keep an authenticated connection to a hub (the session
/// stream) and renew the certificate at a random point between 50% and 80% of its lifetime. When a hub cannot be
/// reached or the session is lost, the node moves on to the next hub in [hub] target after a jittered, capped
/// backoff, with the same identity. Conditions that retrying cannot fix (removed from the hub, token spent, every
/// hub listed failing verification) stop the node with a message saying what to do.
/// </summary>
internal sealed class NodeAgent : INodeLoop
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(10);
    private readonly MeshConfig config;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly NodeAnnouncements announcements;
    private readonly NodeIdentityFiles _files;
    private readonly NodeSessionLoop _session;
    private readonly HubTargetRotation _targets;
    private bool _announced;

    public NodeAgent(MeshConfig config, CurrentHubConnection hub, NodeSessionLoop session, NodeIdentityFiles files, NodeAnnouncements announcements, TimeProvider time, ILogger<NodeAgent> logger)
    {
        this.config = config;
        this.time = time;
        this.logger = logger;
        this.announcements = announcements;
        Hub = hub;
        _session = session;
        _files = files;
        _targets = new HubTargetRotation(config.Hub.Targets);
    }

    public string Name => "hub connection";

    private string NodeId => config.Server.NodeId!;

    /// <summary>The live hub connection and signing key, shared with the node's other loops and its local endpoint.</summary>
    public CurrentHubConnection Hub { get; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30));
        while (!cancellationToken.IsCancellationRequested)
        {
            var target = _targets.Current;
            try
            {
                using var identity = await EnsureIdentityAsync(cancellationToken);
                Hub.SetSigningKey(identity.SigningKey);
                using var connection = HubConnection.ForIdentity(target, _targets.Dialer, identity, NodeId, config, time);
                await CheckInAsync(connection, identity, cancellationToken);
                _targets.Connected();
                Hub.Set(connection);
                try
                {
                    // Returns when the certificate was renewed: reconnect to the same hub with it at once.
                    await RunConnectedAsync(connection, identity, cancellationToken);
                }
                finally
                {
                    Hub.Clear(connection);
                }
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled or StatusCode.Unavailable })
            {
                // Shutting down: a call cut short by it is not a failure.
                return;
            }
            catch (HubSessionLostException ex)
            {
                // A session that had lasted means that hub was fine until now: the next one is tried at once, not after the last delay.
                if (ex.Healthy)
                    backoff.Reset();
                var delay = backoff.Next();
                NodeSessionLog.Lost(logger, target, ex.Reason, delay, _targets.Next());
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (RpcException ex) when (IsTransient(ex))
            {
                var delay = backoff.Next();
                NodeLog.HubUnreachable(logger, target, ex.Status.Detail, delay, _targets.Next());
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (HubRefusedException ex)
            {
                if (!_targets.Refuse(ex.Message))
                    throw new NodeStopException(_targets.RefusalSummary, ex);
                var delay = backoff.Next();
                NodeLog.HubRefused(logger, ex.Message, delay, _targets.Current);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    /// <summary>The identity to run with: the stored one while valid, else a fresh enrollment (internal for tests).</summary>
    internal async Task<LoadedNodeIdentity> EnsureIdentityAsync(CancellationToken cancellationToken)
    {
        if (_files.IsEnrolled)
        {
            var identity = _files.Load();
            if (identity.NotAfter > time.GetUtcNow())
                return identity;
            var expiredAt = identity.NotAfter;
            identity.Dispose();
            NodeLog.CertificateExpired(logger, new(expiredAt));
            if (config.InternalGrpc.BootstrapToken is null)
                throw new NodeStopException($"this node's certificate expired at {Mesh.Core.TimeText.Iso(expiredAt)} while it was offline and no join token is configured: create a token bound to this node (POST /api/admin/join-tokens {{\"node_id\":\"{NodeId}\"}}) and set it as [internal_grpc.bootstrap] token");
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await new NodeEnroller(config, _files, time).EnrollAsync(_targets.Current, _targets.Dialer, cancellationToken);
        }
        catch (NodeStopException ex) when (_files.IsEnrolled && ex.Message.Contains("already used", StringComparison.Ordinal))
        {
            throw new NodeStopException($"this node's certificate expired while it was offline and its join token was already used: create a token bound to this node (POST /api/admin/join-tokens {{\"node_id\":\"{NodeId}\"}}) and set it as [internal_grpc.bootstrap] token", ex);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        NodeLog.Enrolled(logger, NodeId, _targets.Current, elapsed.TotalMilliseconds);
        return _files.Load();
    }

    private async Task CheckInAsync(HubConnection connection, LoadedNodeIdentity identity, CancellationToken cancellationToken)
    {
        var whoami = await CallAsync(connection, c => c.Join.WhoamiAsync(new WhoamiRequest(), c.Call(TimeSpan.FromSeconds(15), cancellationToken)).ResponseAsync);
        if (!_announced)
        {
            var mode = config.InternalGrpc.Security.Mode == GrpcSecurityMode.Mtls ? "mtls" : "tls";
            announcements.Say($"mesh node ready: node {whoami.NodeId} in cluster {whoami.ClusterId}, hub {connection.Target} ({mode}), certificate until {Mesh.Core.TimeText.Iso(identity.NotAfter)}");
            _announced = true;
        }

        NodeLog.Connected(logger, connection.Target);
    }

    /// <summary>The session stream and the renewal wait side by side; renewal reconnects with the new identity.</summary>
    private async Task RunConnectedAsync(HubConnection connection, LoadedNodeIdentity identity, CancellationToken cancellationToken)
    {
        using var connected = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var session = _session.RunAsync(connection, connected.Token);
        var renewal = StayConnectedUntilRenewalAsync(connection, identity, connected.Token);
        var first = await Task.WhenAny(session, renewal);
        await connected.CancelAsync();
        try
        {
            await first;
        }
        finally
        {
            try
            {
                await (first == session ? renewal : session);
            }
            catch (OperationCanceledException) when (connected.IsCancellationRequested)
            {
            }
        }
    }

    private async Task StayConnectedUntilRenewalAsync(HubConnection connection, LoadedNodeIdentity identity, CancellationToken cancellationToken)
    {
        var lifetime = identity.NotAfter - identity.ReceivedAt;
        var renewAt = identity.ReceivedAt + lifetime * (0.5 + (Random.Shared.NextDouble() * 0.3));
        NodeLog.RenewalScheduled(logger, new(renewAt), new(identity.NotAfter));
        var renewalBackoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        while (true)
        {
            var now = time.GetUtcNow();
            if (now >= renewAt)
            {
                try
                {
                    await CallAsync(connection, c => new NodeEnroller(config, _files, time).RenewAsync(c, cancellationToken));
                    NodeLog.Renewed(logger, NodeId);
                    return; // reconnect with the new identity
                }
                catch (RpcException ex) when (IsTransient(ex) && now < identity.NotAfter)
                {
                    var delay = renewalBackoff.Next();
                    NodeLog.RenewalFailed(logger, ex.Status.Detail, delay);
                    renewAt = now + delay;
                    continue;
                }
            }

            var wait = renewAt - now;
            // The session stream now proves the connection (and hears of removal); this loop only waits to renew.
            await Task.Delay(wait < CheckInterval ? wait : CheckInterval, time, cancellationToken);
        }
    }

    /// <summary>Runs a call, turning refusals that cannot heal into a <see cref="NodeStopException"/>.</summary>
    private async Task<T> CallAsync<T>(HubConnection connection, Func<HubConnection, Task<T>> call)
    {
        try
        {
            return await call(connection);
        }
        catch (RpcException ex) when (connection.Trust.LastFailure is { } reason)
        {
            throw new HubRefusedException($"refusing to talk to {connection.Target}: {reason}", ex);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated && ex.Status.Detail.StartsWith("certificate revoked", StringComparison.Ordinal))
        {
            throw new NodeStopException(ex.Status.Detail + "; this node must be re-admitted with a join token bound to its id", ex);
        }
        catch (RpcException ex) when (LooksLikeRejectedHandshake(ex))
        {
            throw new NodeStopException($"the hub rejected this node's certificate (expired, revoked or from another CA): {ex.Status.Detail}", ex);
        }
    }

    private async Task CallAsync(HubConnection connection, Func<HubConnection, Task> call) =>
        await CallAsync(connection, async c =>
        {
            await call(c);
            return true;
        });

    private static bool IsTransient(RpcException ex) =>
        ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown or StatusCode.ResourceExhausted or StatusCode.Aborted;

    // In mtls mode a refused client certificate ends the connection from the server side: under TLS 1.2 inside the
    // handshake (SecureConnectionError); under TLS 1.3 the client has finished its side and sees the server close the
    // connection before its first HTTP/2 frame ("the server did not complete the HTTP/2 handshake"). A hub that is
    // down or at its connection limit refuses or drops the TCP connection instead. Our own refusal of the hub's
    // certificate was recorded by HubTrust and handled before this.
    private bool LooksLikeRejectedHandshake(RpcException ex) =>
        config.InternalGrpc.Security.Mode == GrpcSecurityMode.Mtls
        && ex.Status.DebugException is HttpRequestException http
        && (http.HttpRequestError == HttpRequestError.SecureConnectionError
            || (http.HttpRequestError == HttpRequestError.InvalidResponse
                && http.InnerException is HttpIOException { InnerException: HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded } }));
}

/// <summary>Jittered exponential backoff.</summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan cap)
{
    private readonly TimeSpan _initial = initial;
    private TimeSpan _current = initial;

    public TimeSpan Next()
    {
        var jittered = _current * (0.5 + Random.Shared.NextDouble());
        _current = _current * 2 > cap ? cap : _current * 2;
        return jittered > cap ? cap : jittered;
    }

    public void Reset() => _current = _initial;
}
