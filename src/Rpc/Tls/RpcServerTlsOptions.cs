using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Rpc.Tls;

/// <summary>TLS (and optionally mutual TLS) for a Kestrel gRPC endpoint; applied with <c>ListenOptions.UseRpcTls</c>.</summary>
public sealed class RpcServerTlsOptions
{
    /// <summary>The server certificate with its private key (EKU serverAuth; SANs for every name clients dial).</summary>
    public required X509Certificate2 ServerCertificate { get; init; }

    /// <summary>Intermediates served with the certificate.</summary>
    public X509Certificate2Collection? ServerCertificateChain { get; init; }

    /// <summary>Mutual TLS: refuse connections without a client certificate that <see cref="ClientCertificateValidator"/> accepts.</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>
    /// Decides on each client certificate (the hub plugs its PKI validator in here). Required with
    /// <see cref="RequireClientCertificate"/>; the platform's own verdict (system trust store) is ignored.
    /// </summary>
    public Func<X509Certificate2, X509Chain?, ClientCertificateCheck>? ClientCertificateValidator { get; init; }

    public SslProtocols SslProtocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>ALPN protocols offered. Default HTTP/2 only; Http1AndHttp2 lets the port also serve HTTP/1.1 (gRPC paths then answer 426).</summary>
    public HttpProtocols Protocols { get; init; } = HttpProtocols.Http2;

    /// <summary>
    /// Loads the server certificate and key from PEM files (the certificate file may continue with intermediates)
    /// and, when <paramref name="clientCaBundlePath"/> is given, requires client certificates chaining to that bundle.
    /// </summary>
    public static RpcServerTlsOptions FromPemFiles(string certificatePath, string keyPath, string? clientCaBundlePath = null, Func<X509Certificate2, bool>? isRevoked = null, TimeProvider? time = null)
    {
        var (certificate, chain) = RpcPem.LoadCertificateWithKey(certificatePath, keyPath);
        if (clientCaBundlePath is null)
        {
            return new RpcServerTlsOptions { ServerCertificate = certificate, ServerCertificateChain = chain };
        }

        var validator = new RpcClientCertificateValidator(RpcPem.LoadCertificates(clientCaBundlePath), isRevoked, time);
        return new RpcServerTlsOptions
        {
            ServerCertificate = certificate,
            ServerCertificateChain = chain,
            RequireClientCertificate = true,
            ClientCertificateValidator = validator.Validate,
        };
    }
}
