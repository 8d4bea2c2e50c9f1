using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Node.Mailbox;

public static class MailboxRelayExtensions
{
    /// <summary>Registers the relay as the <c>mesh.v1.Mailbox</c> service of this host, behind <see cref="RelayTokenCheck"/>.</summary>
    public static IServiceCollection AddMailboxRelay(this IServiceCollection services, Func<IServiceProvider, MailboxRelay> relay)
    {
        services.AddSingleton(relay);
        services.AddGrpc().AddServiceOptions<MailboxRelay>(o => o.Interceptors.Add<RelayTokenCheck>());
        return services;
    }

    public static IEndpointConventionBuilder MapMailboxRelay(this IEndpointRouteBuilder endpoints) => endpoints.MapGrpcService<MailboxRelay>();
}
