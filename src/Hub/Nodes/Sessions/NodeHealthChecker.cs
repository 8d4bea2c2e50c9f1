using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Protocol;
using Mesh.Hub.InternalApi;
using Mesh.Hub.Nodes.Registry;
using Grpc.Core;
using Grpc.Health.V1;
using HealthGrpc = Grpc.Health.V1.Health;

namespace Mesh.Hub.Nodes.Sessions;

/// <summary>The result of "test connection": the live-session round trip and, when the node has a grpc_target, a direct health check.</summary>
public sealed record NodeHealthReport(string NodeId, NodeStatus Status, SessionProbe Session, GrpcProbe? Grpc)
{
    public bool Ok => Session.Ok && (Grpc?.Ok ?? true);
}

public sealed record SessionProbe(bool Connected, bool Ok, double? LatencyMs, string? Error, bool? Draining, string? Version);

public sealed record GrpcProbe(string Target, bool Ok, string? ServingStatus, double? LatencyMs, string? Error);

/// <summary>
/// Tests a node's connection: a command over its live session (round trip measured by the hub), and a direct mTLS
/// grpc.health.v1 check of its grpc_target, trusting only the hub CA and presenting a hub client certificate.
/// </summary>
public sealed class NodeHealthChecker(NodeSessionManager sessions, NodeRegistry registry, HubIdentity identity, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly object _gate = new();
    private X509Certificate2? _clientCertificate;

    public async Task<NodeHealthReport?> CheckAsync(string nodeId, CancellationToken cancellationToken)
    {
        var node = registry.Get(nodeId);
        if (node is null)
            return null;
        var session = await ProbeSessionAsync(nodeId, cancellationToken);
        var grpc = node.Record.GrpcTarget is { } target ? await ProbeGrpcAsync(target, node.Record.TlsServerName, cancellationToken) : null;
        return new NodeHealthReport(nodeId, registry.Get(nodeId)?.Status ?? node.Status, session, grpc);
    }

    public void Dispose() => _clientCertificate?.Dispose();

    private async Task<SessionProbe> ProbeSessionAsync(string nodeId, CancellationToken cancellationToken)
    {
        if (!sessions.IsConnected(nodeId))
            return new SessionProbe(false, false, null, "the node has no live session with this hub", null, null);
        var started = time.GetTimestamp();
        try
        {
            var result = await sessions.SendAsync(nodeId, new NodeCommand { TestConnection = new TestConnectionCommand() }, Timeout, cancellationToken);
            var latency = time.GetElapsedTime(started).TotalMilliseconds;
            return result.Ok
                ? new SessionProbe(true, true, latency, null, result.TestConnection?.Draining, result.TestConnection?.Version)
                : new SessionProbe(true, false, latency, result.Error, null, null);
        }
        catch (SessionCommandException ex)
        {
            return new SessionProbe(sessions.IsConnected(nodeId), false, null, ex.Message, null, null);
        }
    }

    private async Task<GrpcProbe> ProbeGrpcAsync(string target, string? tlsServerName, CancellationToken cancellationToken)
    {
        var uri = new Uri(target);
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(identity.Authority.Certificate);
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectTimeout = Timeout,
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = tlsServerName ?? uri.IdnHost,
                CertificateChainPolicy = policy,
                ClientCertificateContext = SslStreamCertificateContext.Create(ClientCertificate(), additionalCertificates: null, offline: true),
            },
        };
        using var channel = GrpcChannels.Create(uri, handler);
        var started = time.GetTimestamp();
        try
        {
            var response = await new HealthGrpc.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: time.GetUtcNow().UtcDateTime + Timeout, cancellationToken: cancellationToken);
            var latency = time.GetElapsedTime(started).TotalMilliseconds;
            var serving = response.Status.ToString().ToUpperInvariant();
            return new GrpcProbe(target, response.Status == HealthCheckResponse.Types.ServingStatus.Serving, serving, latency, null);
        }
        catch (RpcException ex)
        {
            return new GrpcProbe(target, false, null, null, $"{ex.StatusCode}: {ex.Status.Detail}");
        }
    }

    /// <summary>A short-lived client certificate for the hub itself, issued by its own CA and reused until near expiry.</summary>
    private X509Certificate2 ClientCertificate()
    {
        lock (_gate)
        {
            if (_clientCertificate is null || _clientCertificate.NotAfter.ToUniversalTime() < time.GetUtcNow().UtcDateTime.AddHours(1))
            {
                _clientCertificate?.Dispose();
                _clientCertificate = identity.Authority.IssueHubClientCertificate(TimeSpan.FromHours(24));
            }

            return _clientCertificate;
        }
    }
}
