using Mesh.Hosting;
using Mesh.Core.Configuration;
using Mesh.Hub.Nodes.Join;
using Mesh.Node;
using Mesh.Node.Identity;
using Mesh.Node.Join;
using Mesh.Node.LocalApi;

namespace Mesh.Roles;

/// <summary>
/// The hub's own local node ("main" unless [server] node_id says otherwise). It is an ordinary node: the hub
/// mints a single-use token bound to its id and the node enrolls, renews and connects over the internal
/// listener exactly as a remote node would, with its identity under data_dir/node-&lt;id&gt;/certs.
/// </summary>
internal static class EmbeddedNode
{
    public const string DefaultId = NodeIds.EmbeddedNodeDefault;

    /// <summary>Where the embedded node keeps its identity: data_dir/node-&lt;id&gt;/certs.</summary>
    public static string CertDir(MeshConfig hubConfig) =>
        Path.Combine(hubConfig.Server.DataDir, $"node-{hubConfig.Server.NodeId ?? DefaultId}", "certs");

    public static async Task<Task> StartAsync(WebApplication app, MeshConfig hubConfig, Uri internalUrl, TextWriter output, CancellationToken stopping)
    {
        var nodeId = hubConfig.Server.NodeId ?? DefaultId;
        var certDir = CertDir(hubConfig);
        Core.Configuration.Secret? token = null;
        if (!new NodeIdentityFiles(certDir).IsEnrolled)
        {
            var tokens = app.Services.GetRequiredService<JoinTokenService>();
            try
            {
                var (_, text) = await tokens.CreateAsync(TimeSpan.FromMinutes(5), 1, nodeId, JoinTokenService.EmbeddedNodeCreator, "local", stopping);
                token = new Core.Configuration.Secret(text);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return Task.CompletedTask;
            }
        }

        var loopback = new UriBuilder(internalUrl) { Host = "127.0.0.1" }.Uri;
        var nodeConfig = hubConfig with
        {
            Server = hubConfig.Server with { Role = MeshRole.Node, NodeId = nodeId, DataDir = Path.Combine(hubConfig.Server.DataDir, $"node-{nodeId}") },
            InternalGrpc = hubConfig.InternalGrpc with
            {
                Security = hubConfig.InternalGrpc.Security with { CertDir = certDir },
                BootstrapToken = token,
            },
            Hub = new HubTargetConfig(loopback),
        };

        var logger = app.Services.GetRequiredService<ILogger<NodeAgent>>();
        var agent = new NodeAgent(nodeConfig, app.Services.GetRequiredService<TimeProvider>(), logger, output);
        // [node] local_listen on a hub (off unless set): the embedded node's local endpoint, for agents on the hub machine.
        NodeLocalEndpoint? local = null;
        try
        {
            local = await NodeProcess.StartLocalEndpointAsync(nodeConfig, agent, app.Services, output, stopping);
        }
        catch (StartupException ex)
        {
            EmbeddedNodeLog.LocalEndpointFailed(logger, nodeId, ex.Message);
        }

        return Task.Run(async () =>
        {
            try
            {
                await agent.RunAsync(stopping);
            }
            catch (NodeStopException ex)
            {
                EmbeddedNodeLog.Stopped(logger, nodeId, ex.Message);
            }
            finally
            {
                if (local is not null)
                    await local.DisposeAsync();
            }
        }, CancellationToken.None);
    }
}

internal static partial class EmbeddedNodeLog
{
    [LoggerMessage(EventId = 1101, EventName = "EmbeddedNodeStopped", Level = LogLevel.Error, Message = "The hub's local node {NodeId} stopped: {Reason}")]
    public static partial void Stopped(ILogger logger, string nodeId, string reason);

    [LoggerMessage(EventId = 1102, EventName = "EmbeddedNodeLocalEndpointFailed", Level = LogLevel.Error, Message = "The hub's local node {NodeId} runs without its local mailbox endpoint: {Reason}")]
    public static partial void LocalEndpointFailed(ILogger logger, string nodeId, string reason);
}
