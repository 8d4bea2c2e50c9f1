using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Auth;
using Mesh.Core.Configuration;
using Mesh.Core.Protocol;
using Mesh.Node.Identity;
using Mesh.Node.Join;
using Grpc.Core;
using Grpc.Net.Client;
using JoinGrpc = Mesh.Core.Protocol.Join;
using MailboxGrpc = Mesh.Core.Protocol.Mailbox;
using SessionGrpc = Mesh.Core.Protocol.NodeSession;

namespace Mesh.Node.Connection;

/// <summary>
/// One HTTP/2 channel to the hub: TLS verified by <see cref="HubTrust"/>, the node's client certificate in mtls
/// mode, and node tokens (5 minutes, re-minted a minute before they expire) on every call.
/// </summary>
public sealed class HubConnection : IHubConnection, IDisposable
{
    private static readonly TimeSpan NodeTokenLifetime = TimeSpan.FromMinutes(5);
    private readonly LoadedNodeIdentity? _identity;
    private readonly CallTokenIssuer? _issuer;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private string? _token;
    private DateTimeOffset _tokenExpires;

    private HubConnection(Uri target, HubTrust trust, X509Certificate2? clientCertificate, string nodeId, LoadedNodeIdentity? identity, CallTokenIssuer? issuer, TimeProvider time,
        HubDialer? dialer = null)
    {
        Target = target;
        Trust = trust;
        NodeId = nodeId;
        _identity = identity;
        _issuer = issuer;
        _time = time;
        var ssl = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = trust.Callback(target.IdnHost),
        };
        if (clientCertificate is not null)
            ssl.ClientCertificateContext = SslStreamCertificateContext.Create(clientCertificate, additionalCertificates: null, offline: true);
        var handler = new SocketsHttpHandler
        {
            SslOptions = ssl,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };
        if (dialer is not null)
            handler.ConnectCallback = dialer.ConnectAsync;
        Channel = GrpcChannels.Create(target, handler);
        Join = new JoinGrpc.JoinClient(Channel);
        Mailbox = new MailboxGrpc.MailboxClient(Channel);
        Session = new SessionGrpc.NodeSessionClient(Channel);
    }

    /// <summary>The hub this channel goes to, as written in [hub] target.</summary>
    public Uri Target { get; }

    public JoinGrpc.JoinClient Join { get; }

    public MailboxGrpc.MailboxClient Mailbox { get; }

    public SessionGrpc.NodeSessionClient Session { get; }

    public GrpcChannel Channel { get; }

    ChannelBase IHubConnection.Channel => Channel;

    public HubTrust Trust { get; }

    public string NodeId { get; }

    /// <summary>Before enrollment: no client certificate, no token; the hub is trusted by the CA pin (or a stored ca.crt).</summary>
    public static HubConnection ForEnrollment(Uri target, HubTrust trust, string nodeId, TimeProvider time) =>
        new(target, trust, null, nodeId, null, null, time);

    internal static HubConnection ForEnrollment(Uri target, HubDialer dialer, HubTrust trust, string nodeId, TimeProvider time) =>
        new(target, trust, null, nodeId, null, null, time, dialer);

    /// <summary>After enrollment: the node's identity, its certificate presented in mtls mode.</summary>
    public static HubConnection ForIdentity(Uri target, LoadedNodeIdentity identity, string nodeId, MeshConfig config, TimeProvider time) =>
        ForIdentity(target, null, identity, nodeId, config, time);

    internal static HubConnection ForIdentity(Uri target, HubDialer? dialer, LoadedNodeIdentity identity, string nodeId, MeshConfig config, TimeProvider time)
    {
        var mtls = config.InternalGrpc.Security.Mode == GrpcSecurityMode.Mtls;
        var issuer = new CallTokenIssuer(config.InternalGrpc.Auth.Issuer, config.InternalGrpc.Auth.Audience, time);
        return new HubConnection(target, HubTrust.FromCa(identity.Ca, time), mtls ? identity.Certificate : null, nodeId, identity, issuer, time, dialer);
    }

    public CallOptions Call(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var headers = new Metadata();
        if (_identity is not null)
            headers.Add("authorization", "Bearer " + NodeToken());
        // grpc-dotnet enforces deadlines against the system clock, so the deadline is taken from it too.
        return new CallOptions(headers, _time.GetUtcNow().UtcDateTime + timeout, cancellationToken);
    }

    public string MintActorToken(string actorId, TimeSpan lifetime) =>
        _issuer is null || _identity is null
            ? throw new InvalidOperationException("the node is not enrolled yet")
            : _issuer.MintWithNodeKey(_identity.SigningKey, NodeId, CallerScope.Actor, actorId, lifetime);

    /// <summary>Closes the channel and its connections (they have no idle timeout and keep-alive pings, so they would otherwise stay open).</summary>
    public void Dispose() => Channel.Dispose();

    private string NodeToken()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_token is null || now >= _tokenExpires - TimeSpan.FromMinutes(1))
            {
                _token = _issuer!.MintWithNodeKey(_identity!.SigningKey, NodeId, CallerScope.Node, NodeId, NodeTokenLifetime);
                _tokenExpires = now + NodeTokenLifetime;
            }

            return _token;
        }
    }
}
