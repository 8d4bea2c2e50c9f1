using System.Runtime.CompilerServices;
using Mesh.Rpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Rpc;

public static class RpcServerExtensions
{
    private const string LoggerCategory = "Mesh.Rpc.Server";

    private static readonly ConditionalWeakTable<IEndpointRouteBuilder, object> FallbackMapped = [];

    /// <summary>Registers server-wide gRPC options (message limits, global pre-handler).</summary>
    /// <remarks>
    /// Also installs, at the very end of the request pipeline, the answer to gRPC requests for unknown methods
    /// (UNIMPLEMENTED), so known methods pay nothing for it. Without <c>AddRpc</c>, <c>MapRpcService</c> maps a
    /// catch-all route instead, which costs every call a second routing candidate. Safe to call more than once.
    /// </remarks>
    public static IServiceCollection AddRpc(this IServiceCollection services, Action<RpcServerOptions>? configure = null)
    {
        services.TryAddSingleton<UnimplementedFallbackFilter>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, UnimplementedFallbackFilter>());
        var builder = services.AddOptions<RpcServerOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        return services;
    }

    /// <summary>
    /// Maps every method of <paramref name="service"/> to <c>POST /{service}/{method}</c>, plus (once) a catch-all that
    /// answers gRPC requests for unknown methods with UNIMPLEMENTED.
    /// </summary>
    public static IEndpointConventionBuilder MapRpcService(this IEndpointRouteBuilder endpoints, RpcServiceDefinition service)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(service);
        var options = endpoints.ServiceProvider.GetService<IOptions<RpcServerOptions>>()?.Value ?? new RpcServerOptions();
        var logger = endpoints.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger(LoggerCategory) ?? NullLogger.Instance;
        var runtime = new ServiceRuntime(options, logger, service.PreHandler);

        var builders = new List<IEndpointConventionBuilder>();
        foreach (var binding in service.Methods)
        {
            var b = binding;
            builders.Add(endpoints.MapPost(b.FullName, context => ServerCallDispatcher.HandleAsync(context, b, runtime))
                .WithDisplayName("gRPC " + b.FullName));
        }

        if (endpoints.ServiceProvider.GetService<UnimplementedFallbackFilter>() is null)
        {
            MapUnimplementedFallback(endpoints, logger);
        }

        return new CompositeConventionBuilder(builders);
    }

    private static void MapUnimplementedFallback(IEndpointRouteBuilder endpoints, ILogger logger)
    {
        if (FallbackMapped.TryGetValue(endpoints, out _))
        {
            return;
        }

        FallbackMapped.Add(endpoints, new object());
        var pattern = RoutePatternFactory.Parse(
            "{service}/{method}",
            defaults: null,
            parameterPolicies: new RouteValueDictionary { ["method"] = new GrpcContentTypeConstraint() });
        endpoints.Map(pattern, context => UnimplementedHandler.HandleAsync(context, logger))
            .WithDisplayName("gRPC unimplemented method");
    }

    private sealed class CompositeConventionBuilder(List<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders)
            {
                builder.Add(convention);
            }
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var builder in builders)
            {
                builder.Finally(finallyConvention);
            }
        }
    }
}
