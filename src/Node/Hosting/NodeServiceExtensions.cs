using Mesh.Core.Configuration;
using Mesh.Hosting;
using Mesh.Hosting.Metrics;
using Mesh.Node.Agents;
using Mesh.Node.Connection;
using Mesh.Node.Identity;
using Mesh.Node.LocalApi;
using Mesh.Node.Mailbox;
using Mesh.Node.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.Hosting;

public static class NodeServiceExtensions
{
    /// <summary>
    /// The node role in one container: its identity files, the shared hub connection, its loops (hub connection with
    /// session and renewal; with a local endpoint, the outbox flusher) under <see cref="NodeSupervisor"/>, and — when
    /// <paramref name="localEndpoint"/> — the <c>mesh.v1.Mailbox</c> relay with its outbox and <c>grpc.health.v1</c>.
    /// </summary>
    public static IServiceCollection AddNode(this IServiceCollection services, MeshConfig config, TextWriter output, bool localEndpoint)
    {
        var nodeId = config.Server.NodeId ?? throw new ArgumentException("the node has no id", nameof(config));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(config);
        services.AddSingleton(new NodeAnnouncements(output));
        services.AddSingleton(new NodeIdentityFiles(config.InternalGrpc.Security.CertDir));
        services.AddSingleton<CurrentHubConnection>();
        services.AddSingleton<NodeDrainState>();
        services.AddSingleton<INodeCommandHandler, PingCommandHandler>();
        services.AddSingleton<INodeCommandHandler, TestConnectionCommandHandler>();
        services.AddSingleton<INodeCommandHandler, DrainCommandHandler>();
        services.AddSingleton<NodeSessionMetrics>();
        services.AddSingleton<NodeSessionLoop>();
        services.AddAgents(config);
        services.AddSingleton<NodeAgent>();
        services.AddSingleton<INodeLoop>(sp => sp.GetRequiredService<NodeAgent>());
        services.AddSingleton<NodeStop>();
        services.AddHostedService<NodeSupervisor>();
        services.AddMeshGrpcHealth().AddCheck<NodeReadinessCheck>("node");
        services.AddGrpc(o => o.MaxReceiveMessageSize = NodeListeners.MaxReceiveMessageSize);
        if (!localEndpoint)
            return services;

        var auth = config.InternalGrpc.Auth;
        services.AddSingleton(_ => new MailboxOutbox(config.Server.DataDir));
        services.AddSingleton(sp => new NodeTokenValidator(() => sp.GetRequiredService<CurrentHubConnection>().SigningKey, nodeId,
            auth.Issuer, auth.Audience, auth.ClockSkew, sp.GetRequiredService<TimeProvider>()));
        services.AddMailboxRelay(sp => new MailboxRelay(() => sp.GetRequiredService<CurrentHubConnection>().Connection, nodeId,
            sp.GetRequiredService<MailboxOutbox>(), sp.GetRequiredService<NodeTokenValidator>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<MailboxRelay>>()));
        services.AddSingleton<IHubConnectionListener>(sp => sp.GetRequiredService<MailboxRelay>());
        services.AddSingleton<INodeLoop, OutboxFlushLoop>();
        services.AddSingleton<IObservableInstruments, OutboxMetrics>();
        return services;
    }
}
