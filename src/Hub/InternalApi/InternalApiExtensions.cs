using Mesh.Hosting;
using System.Security.Authentication;
using Mesh.Core.Configuration;
using Mesh.Pki;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Mesh.Hub.InternalApi;

/// <summary>
/// The internal gRPC API on grpc-dotnet: its TLS/mTLS listener (and the plaintext health-only one), the
/// authentication interceptor, message limits, reflection, and the services mapped on it (health checks are
/// Health's, which knows what "ready" means for the hub).
/// </summary>
public static class InternalApiExtensions
{
    /// <summary>Largest request message the hub accepts (grpc-dotnet's default, kept explicit: the limits table in docs/operations.md names it).</summary>
    public const int MaxReceiveMessageSize = 4 * 1024 * 1024;

    private const string InternalListenerKey = "Mesh.Hub.InternalListener";
    private static readonly object Marker = new();

    public static IServiceCollection AddInternalApi(this IServiceCollection services, HubIdentity identity)
    {
        services.AddSingleton(identity);
        services.AddSingleton<HubCallAuthenticator>();
        services.AddSingleton<InternalApiMetrics>();
        services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = MaxReceiveMessageSize;
            options.MaxSendMessageSize = null;
            options.EnableDetailedErrors = false;
            options.Interceptors.Add<CallMetrics>();
            options.Interceptors.Add<HandlerFailures>();
            options.Interceptors.Add<HubCallAuthenticator>();
        });
        services.AddGrpcReflection();
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
                connection.Items[InternalListenerKey] = Marker;
                return next(connection);
            });
            var services = listen.ApplicationServices;
            var revocations = services.GetRequiredService<INodeRevocations>();
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Mesh.Hub.InternalApi.Tls");
            var metrics = services.GetRequiredService<InternalApiMetrics>();
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
                    {
                        InternalApiLog.ClientCertificateRejected(logger, certificate.Subject, result.Reason ?? "rejected");
                        metrics.AuthFailed(AuthFailureReasons.ClientCertificateRejected);
                    }

                    return result.IsValid;
                },
            });
        });

        if (grpc.HealthListen is { } health)
            kestrel.ListenHealthOnly(health.ToEndPoint(), onHealthListener);
        // Kestrel pings a connection silent for 30 s and drops it if the ping is not answered within 20 s.
        kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
        kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
        return internalListener!;
    }

    /// <summary>
    /// Keeps gRPC off the web listener and everything but gRPC off the internal listener, and the health-only listener
    /// to <c>grpc.health.v1.Health</c>. A request routed to a known gRPC method with another content type reaches
    /// grpc-dotnet, which answers 415; any other non-gRPC request on the internal listener gets 404.
    /// </summary>
    public static void UseListenerSeparation(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (HealthOnlyListener.IsHealthOnly(items))
            return HealthOnlyListener.FilterAsync(context, next);
        var onInternal = items?.TryGetValue(InternalListenerKey, out var marker) == true && ReferenceEquals(marker, Marker);
        var isGrpc = context.Request.IsGrpcContentType();
        if (onInternal == isGrpc || (onInternal && context.IsGrpcMethod()))
            return next(context);
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    });

    /// <summary>
    /// Maps the internal gRPC services, health and reflection (grpc-dotnet endpoints), and runs a routed gRPC call
    /// right here, after <see cref="UseListenerSeparation"/>: its authentication is <see cref="HubCallAuthenticator"/>,
    /// so it skips the web UI's middleware (cookies, antiforgery, static files) that would otherwise cost every call.
    /// </summary>
    public static void UseInternalApi(this WebApplication app)
    {
        foreach (var service in app.Services.GetServices<IInternalGrpcService>())
            service.Map(app);
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.Use((context, next) => context.IsGrpcMethod() ? context.GetEndpoint()!.RequestDelegate!(context) : next(context));
    }
}
