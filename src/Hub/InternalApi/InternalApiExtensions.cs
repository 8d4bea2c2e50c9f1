using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Configuration;
using Mesh.Pki;
using Mesh.Rpc;
using Mesh.Rpc.Health;
using Mesh.Rpc.Tls;
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
        services.AddRpc();
        services.AddOptions<RpcServerOptions>().Configure<HubCallAuthenticator>((options, auth) => options.PreHandler = auth.AuthenticateAsync);
        return services;
    }

    /// <summary>Adds the internal listener (and the plaintext health-only one when configured) to Kestrel.</summary>
    public static ListenOptions ListenInternalApi(this KestrelServerOptions kestrel, MeshConfig config, HubIdentity identity)
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
            var revocations = listen.ApplicationServices.GetRequiredService<INodeRevocations>();
            var validator = new CertificateValidator(identity.Authority.Certificate, listen.ApplicationServices.GetRequiredService<TimeProvider>(), revocations.IsCertificateRevoked);
            listen.UseRpcTls(new RpcServerTlsOptions
            {
                ServerCertificate = identity.ServerCertificate,
                // The CA rides along so a joining node can check it against the pin in its token.
                ServerCertificateChain = new X509Certificate2Collection(identity.Authority.Certificate),
                RequireClientCertificate = grpc.Security.Mode == GrpcSecurityMode.Mtls,
                ClientCertificateValidator = (certificate, chain) => ToCheck(validator.ValidateClient(certificate, chain)),
            });
        });

        if (grpc.HealthListen is { } health)
            kestrel.ListenRpcHealthOnly(health.ToEndPoint());
        kestrel.UseRpcKeepAlive(TimeSpan.FromSeconds(30));
        return internalListener!;
    }

    /// <summary>Keeps gRPC off the web listener and everything but gRPC off the internal listener.</summary>
    public static void UseListenerSeparation(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        var onInternal = items?.TryGetValue(ConnectionItemKey, out var marker) == true && ReferenceEquals(marker, Marker);
        var isGrpc = context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;
        var onHealthOnly = items?.ContainsKey("Mesh.Rpc.HealthOnly") == true;
        if (onInternal == isGrpc || onHealthOnly)
            return next(context);
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    });

    public static void MapInternalApi(this WebApplication app)
    {
        app.MapRpcHealth();
        foreach (var service in app.Services.GetServices<IInternalRpcService>())
            app.MapRpcService(service.Definition);
    }

    private static ClientCertificateCheck ToCheck(CertificateValidationResult result) =>
        result.IsValid ? ClientCertificateCheck.Valid : ClientCertificateCheck.Invalid(result.Reason ?? "rejected");
}
