using Mesh.Hosting;
using Mesh.Core.Configuration;
using Mesh.Hub.Nodes.Join;
using Mesh.Node.Hosting;
using Mesh.Node.Identity;

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

    public static async Task<Task> StartAsync(WebApplication app, MeshConfig hubConfig, Uri internalUrl, bool jsonLogs, TextWriter output, CancellationToken stopping)
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

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EmbeddedNode).FullName!);
        NodeHost node;
        try
        {
            try
            {
                node = await StartNodeAsync(nodeConfig, jsonLogs, output, stopping);
            }
            catch (StartupException ex) when (nodeConfig.Node.LocalListen is not null)
            {
                // [node] local_listen on a hub is the embedded node's endpoint for agents on the hub machine; without it
                // the node still runs.
                EmbeddedNodeLog.LocalEndpointFailed(logger, nodeId, ex.Message);
                node = await StartNodeAsync(nodeConfig with { Node = nodeConfig.Node with { LocalListen = null } }, jsonLogs, output, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The hub was told to stop while its node was starting: nothing runs yet, so there is nothing to wait for.
            return Task.CompletedTask;
        }

        return Task.Run(async () =>
        {
            await using (node)
            {
                try
                {
                    await node.WaitForShutdownAsync(stopping);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                }

                await node.StopAsync(CancellationToken.None);
                if (node.StopReason is { } reason)
                    EmbeddedNodeLog.Stopped(logger, nodeId, reason.Message);
            }
        }, CancellationToken.None);
    }

    private static async Task<NodeHost> StartNodeAsync(MeshConfig nodeConfig, bool jsonLogs, TextWriter output, CancellationToken stopping)
    {
        var node = NodeHost.Build(nodeConfig, logging => MeshLogging.Configure(logging, jsonLogs), output, NodeHostOptions.Embedded);
        try
        {
            await node.StartAsync(stopping);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }
}

internal static partial class EmbeddedNodeLog
{
    [LoggerMessage(EventId = 1101, EventName = "EmbeddedNodeStopped", Level = LogLevel.Error, Message = "The hub's local node {NodeId} stopped: {Reason}")]
    public static partial void Stopped(ILogger logger, string nodeId, string reason);

    [LoggerMessage(EventId = 1102, EventName = "EmbeddedNodeLocalEndpointFailed", Level = LogLevel.Error, Message = "The hub's local node {NodeId} runs without its local mailbox endpoint: {Reason}")]
    public static partial void LocalEndpointFailed(ILogger logger, string nodeId, string reason);
}
