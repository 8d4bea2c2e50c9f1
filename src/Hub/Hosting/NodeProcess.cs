using Mesh.Core.Configuration;
using Mesh.Node;
using Mesh.Node.Join;

namespace Mesh.Hub.Hosting;

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
        try
        {
            await host.Services.GetRequiredService<NodeAgent>().RunAsync(stopping.Token);
        }
        catch (NodeStopException ex)
        {
            await host.StopAsync(CancellationToken.None);
            throw new StartupException($"node '{config.Server.NodeId}': {ex.Message}", ex);
        }

        await host.StopAsync(CancellationToken.None);
        return 0;
    }
}
