using System.Net;
using System.Security.Cryptography.X509Certificates;
using Mesh.Rpc.Health;
using Mesh.Rpc.Tls;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Rpc;

/// <summary>Kestrel endpoint setup for gRPC: TLS/mTLS, plaintext h2c, the health-only port, HTTP/2 keepalive.</summary>
public static class RpcKestrelExtensions
{
    private const string LoggerCategory = "Mesh.Rpc.Tls";

    /// <summary>
    /// HTTP/2 over TLS (ALPN h2) with <paramref name="tls"/>; with <see cref="RpcServerTlsOptions.RequireClientCertificate"/>,
    /// mutual TLS where every client certificate goes through <see cref="RpcServerTlsOptions.ClientCertificateValidator"/>
    /// and refusals are logged with their reason. Handlers read the accepted certificate from <see cref="RpcCallContext.ClientCertificate"/>.
    /// </summary>
    public static ListenOptions UseRpcTls(this ListenOptions listenOptions, RpcServerTlsOptions tls, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        ArgumentNullException.ThrowIfNull(tls);
        if (!tls.ServerCertificate.HasPrivateKey)
        {
            throw new ArgumentException("The server certificate has no private key; load it with its key (RpcPem.LoadCertificateWithKey).", nameof(tls));
        }

        if (tls.RequireClientCertificate && tls.ClientCertificateValidator is null)
        {
            throw new ArgumentException("RequireClientCertificate needs a ClientCertificateValidator (e.g. new RpcClientCertificateValidator(caBundle).Validate).", nameof(tls));
        }

        logger ??= listenOptions.ApplicationServices.GetService<ILoggerFactory>()?.CreateLogger(LoggerCategory) ?? NullLogger.Instance;
        listenOptions.Protocols = tls.Protocols;
        var https = new HttpsConnectionAdapterOptions
        {
            ServerCertificate = tls.ServerCertificate,
            ServerCertificateChain = tls.ServerCertificateChain,
            SslProtocols = tls.SslProtocols,
            CheckCertificateRevocation = false,
            ClientCertificateMode = tls.RequireClientCertificate ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.NoCertificate,
        };

        if (tls.RequireClientCertificate)
        {
            var validator = tls.ClientCertificateValidator!;
            // The platform's sslPolicyErrors always flag our private CA: the decision is the validator's alone.
            https.ClientCertificateValidation = (certificate, chain, _) => Validate(validator, certificate, chain, logger);
        }

        listenOptions.UseHttps(https);
        return listenOptions;
    }

    /// <summary>Plaintext HTTP/2 with prior knowledge (h2c), as gRPC clients and Kubernetes probes speak it without TLS.</summary>
    public static ListenOptions UseRpcPlaintext(this ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        listenOptions.Protocols = HttpProtocols.Http2;
        return listenOptions;
    }

    /// <summary>
    /// Adds a plaintext h2c listener on <paramref name="endpoint"/> that serves only <c>grpc.health.v1.Health</c>
    /// (for Kubernetes gRPC probes, which cannot present client certificates). Every other path answers UNIMPLEMENTED.
    /// Needs <see cref="RpcHealthExtensions.AddRpcHealth"/> and <see cref="RpcHealthExtensions.MapRpcHealth"/>.
    /// </summary>
    public static void ListenRpcHealthOnly(this KestrelServerOptions kestrel, IPEndPoint endpoint, Action<ListenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(endpoint);
        kestrel.Listen(endpoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.Use(next => connection =>
            {
                connection.Items[HealthOnlyFilter.ConnectionItemKey] = HealthOnlyFilter.Marker;
                return next(connection);
            });
            configure?.Invoke(listen);
        });
    }

    /// <summary>
    /// Server-wide HTTP/2 keepalive pings (Kestrel sends one after <paramref name="pingDelay"/> without frames from the
    /// client, and closes the connection if unanswered within <paramref name="pingTimeout"/>). Default off; 30 s or more recommended.
    /// </summary>
    public static KestrelServerOptions UseRpcKeepAlive(this KestrelServerOptions kestrel, TimeSpan pingDelay, TimeSpan? pingTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        if (pingDelay < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(pingDelay), "The keepalive ping delay must be at least 1 s (30 s or more recommended).");
        }

        kestrel.Limits.Http2.KeepAlivePingDelay = pingDelay;
        kestrel.Limits.Http2.KeepAlivePingTimeout = pingTimeout ?? TimeSpan.FromSeconds(20);
        return kestrel;
    }

    private static bool Validate(Func<X509Certificate2, X509Chain?, ClientCertificateCheck> validator, X509Certificate2 certificate, X509Chain? chain, ILogger logger)
    {
        try
        {
            var check = validator(certificate, chain);
            if (!check.IsValid)
            {
                RpcTlsLog.ClientCertificateRejected(logger, certificate.Subject, check.Reason ?? "refused by the validator");
                return false;
            }

            RpcTlsLog.ClientCertificateAccepted(logger, certificate.Subject);
            return true;
        }
        catch (Exception ex)
        {
            RpcTlsLog.ValidatorFailed(logger, ex);
            return false;
        }
    }
}
