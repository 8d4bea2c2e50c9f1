using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Core.Protocol;
using JoinGrpc = Mesh.Core.Protocol.Join;
using MailboxGrpc = Mesh.Core.Protocol.Mailbox;
using SessionGrpc = Mesh.Core.Protocol.NodeSession;

namespace Mesh.Hub.Tests;

/// <summary>The generated gRPC clients over a channel, channels that trust a given CA, and call options with a deadline.</summary>
internal static class GrpcTestClients
{
    public static MailboxGrpc.MailboxClient Mailbox(this ChannelBase channel) => new(channel);

    public static JoinGrpc.JoinClient Join(this ChannelBase channel) => new(channel);

    public static SessionGrpc.NodeSessionClient Session(this ChannelBase channel) => new(channel);

    /// <summary>A channel to <paramref name="address"/> (https, or http for h2c) over <see cref="Handler"/>.</summary>
    public static GrpcChannel Channel(Uri address, X509Certificate2? ca = null, X509Certificate2? clientCertificate = null, int maxReceiveMessageSize = 4 * 1024 * 1024) =>
        GrpcChannels.Create(address, Handler(ca, clientCertificate), maxReceiveMessageSize);

    /// <summary>An HTTP handler that trusts only <paramref name="ca"/> (host name checked) and presents <paramref name="clientCertificate"/>.</summary>
    public static SocketsHttpHandler Handler(X509Certificate2? ca = null, X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler { UseProxy = false };
        if (ca is not null)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.Add(ca);
            handler.SslOptions.CertificateChainPolicy = policy;
        }

        if (clientCertificate is not null)
            handler.SslOptions.ClientCertificateContext = SslStreamCertificateContext.Create(clientCertificate, additionalCertificates: null, offline: true);
        return handler;
    }

    public static CallOptions WithTimeout(TimeSpan timeout, Metadata? headers = null, CancellationToken cancellationToken = default) =>
        new(headers, DateTime.UtcNow + timeout, cancellationToken);
}
