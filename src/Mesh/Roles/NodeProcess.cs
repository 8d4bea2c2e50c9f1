using Mesh.Hosting;
using Mesh.Core.Configuration;
using Mesh.Node;
using Mesh.Node.Identity;
using Mesh.Node.Join;
using Mesh.Node.LocalApi;

namespace Mesh.Roles;

/// <summary>Runs the node role until SIGTERM/Ctrl-C, or until a condition only an operator can fix.</summary>
internal static class NodeProcess
{
    public static async Task<int> RunAsync(MeshConfig config, bool jsonLogs, TextWriter output, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        MeshLogging.Configure(builder.Logging, jsonLogs);
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(output);
        builder.Services.AddSingleton<NodeAgent>();
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        var agent = host.Services.GetRequiredService<NodeAgent>();
        // Before the agent: a taken port fails the start before a join token is spent, and sends can queue while
        // the hub is still out of reach.
        var local = await StartLocalEndpointAsync(config, agent, host.Services, output, stopping.Token);
        try
        {
            await agent.RunAsync(stopping.Token);
        }
        catch (NodeStopException ex)
        {
            await host.StopAsync(CancellationToken.None);
            throw new StartupException($"node '{config.Server.NodeId}': {ex.Message}", ex);
        }
        finally
        {
            if (local is not null)
                await local.DisposeAsync();
        }

        await host.StopAsync(CancellationToken.None);
        return 0;
    }

    /// <summary>
    /// The local mailbox endpoint, or null when [node] local_listen is off. An address the operator chose must be
    /// free (else the start fails); when the built-in default is taken (several nodes on one machine) the node runs
    /// without the endpoint and says so.
    /// </summary>
    internal static async Task<NodeLocalEndpoint?> StartLocalEndpointAsync(MeshConfig config, NodeAgent agent, IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
    {
        if (config.Node.LocalListen is null)
            return null;
        var loggers = services.GetRequiredService<ILoggerFactory>();
        // An enrolled node can queue sends from its first second, even before (or without) reaching the hub; the
        // agent replaces the key after enrollment or renewal, and reports an unreadable identity itself.
        var files = new NodeIdentityFiles(config.InternalGrpc.Security.CertDir);
        if (files.IsEnrolled)
        {
            try
            {
                agent.Hub.SetSigningKey(files.LoadSigningKey());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Pki.PkiException or FormatException or System.Text.Json.JsonException)
            {
            }
        }

        try
        {
            var endpoint = await NodeLocalEndpoint.StartAsync(config, agent.Hub, services.GetRequiredService<TimeProvider>(), loggers, cancellationToken);
            output.WriteLine($"mesh node local endpoint: {endpoint.Url.GetLeftPart(UriPartial.Authority)}");
            return endpoint;
        }
        catch (LocalEndpointBindException) when (config.Node.LocalListenIsDefault)
        {
            NodeProcessLog.DefaultLocalEndpointTaken(loggers.CreateLogger(typeof(NodeProcess)), config.Node.LocalListen.ToString());
            output.WriteLine($"mesh node local endpoint: off ({config.Node.LocalListen} is in use; set [node] local_listen)");
            return null;
        }
        catch (LocalEndpointBindException ex)
        {
            throw new StartupException($"node '{config.Server.NodeId}': {ex.Message}", ex);
        }
    }
}

internal static partial class NodeProcessLog
{
    [LoggerMessage(EventId = 1201, EventName = "DefaultLocalEndpointTaken", Level = LogLevel.Warning,
        Message = "The default local mailbox endpoint {Address} is in use (another node on this machine?); this node runs without one. Set [node] local_listen to a free loopback port (or \"\" to turn it off) to silence this.")]
    public static partial void DefaultLocalEndpointTaken(ILogger logger, string address);
}
