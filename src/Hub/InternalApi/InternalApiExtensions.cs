using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Configuration;
using Mesh.Pki;
using Mesh.Rpc;
using Mesh.Rpc.Health;
using System.Security.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Hub.InternalApi;

/// <summary>The internal gRPC API: its TLS/mTLS listener, authentication and the services mapped on it.</summary>
public static class InternalApiExtensions
{
    private const string ConnectionItemKey = "Mesh.Hub.InternalListener";
    private static readonly object Marker = new();

    public static IServiceCollection AddInternalApi(this IServiceCollection services, HubIdentity identity)
    {
        services.AddSingleton(identity);
        services.AddSingleton<HubCallAuthenticator>();
        services.AddRpcHealth();
        services.AddOptions<RpcServerOptions>().Configure<HubCallAuthenticator>((options, auth) => options.PreHandler = auth.AuthenticateAsync);
        return services;
    }

    /// <summary>Adds the internal listener (and the plaintext health-only one when configured) to Kestrel.</summary>
    public static ListenOptions ListenInternalApi(this KestrelServerOptions kestrel, MeshConfig config, HubIdentity identity, Action<ListenOptions>? onHealthListener = null)
    {
        var grpc = config.InternalGrpc;
        ListenOptions? internalListener = null;
        kestrel.Listen(grpc.Listen.ToEndPoint(), listen =>
        {
            internalListener = listen;
            listen.Use(next => connection =>
            {
                connection.Items[ConnectionItemKey] = Marker;
                return next(connection);
            });
            var services = listen.ApplicationServices;
            var revocations = services.GetRequiredService<INodeRevocations>();
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Mesh.Hub.InternalApi.Tls");
            var validator = new CertificateValidator(identity.Authority.Certificate, services.GetRequiredService<TimeProvider>(), revocations.IsCertificateRevoked);
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = identity.ServerCertificate,
                SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CheckCertificateRevocation = false,
                // mtls: a certificate is asked for and, when presented, must pass validation (foreign, expired and
                // revoked ones fail the handshake). It cannot be required at the TLS layer because a joining node has
                // none yet; HubCallAuthenticator requires it on every node call.
                ClientCertificateMode = grpc.Security.Mode == GrpcSecurityMode.Mtls ? ClientCertificateMode.AllowCertificate : ClientCertificateMode.NoCertificate,
                ClientCertificateValidation = (certificate, chain, _) =>
                {
                    var result = validator.ValidateClient(certificate, chain);
                    if (!result.IsValid)
                        InternalApiLog.ClientCertificateRejected(logger, certificate.Subject, result.Reason ?? "rejected");
                    return result.IsValid;
                },
            });
        });

        if (grpc.HealthListen is { } health)
            kestrel.ListenRpcHealthOnly(health.ToEndPoint(), onHealthListener);
        kestrel.UseRpcKeepAlive(TimeSpan.FromSeconds(30));
        return internalListener!;
    }

    /// <summary>Keeps gRPC off the web listener and everything but gRPC off the internal listener.</summary>
    public static void UseListenerSeparation(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        var onInternal = items?.TryGetValue(ConnectionItemKey, out var marker) == true && ReferenceEquals(marker, Marker);
        var isGrpc = context.Request.IsGrpc();
        var onHealthOnly = items?.ContainsKey("Mesh.Rpc.HealthOnly") == true;
        if (onInternal == isGrpc || onHealthOnly)
            return next(context);
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    });

    /// <summary>
    /// Serves the internal gRPC services (and health) at the end of a branch that gRPC requests take right after
    /// <see cref="UseListenerSeparation"/>: the listener separation has already confined them to the internal and
    /// health listeners, and their authentication is <see cref="HubCallAuthenticator"/>, so they skip endpoint
    /// routing and the web UI's middleware (cookies, antiforgery, static files), which cost every call.
    /// </summary>
    public static void UseInternalApi(this WebApplication app)
    {
        var services = new List<RpcServiceDefinition> { app.Services.RpcHealthDefinition() };
        services.AddRange(app.Services.GetServices<IInternalRpcService>().Select(s => s.Definition));
        app.UseRpcServices(services);
    }
}
