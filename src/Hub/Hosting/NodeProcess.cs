using Mesh.Core.Configuration;

namespace Mesh.Hub.Hosting;

/// <summary>The node role. Joining a hub is not built yet; this says so instead of pretending.</summary>
internal static class NodeProcess
{
    public static Task<int> RunAsync(MeshConfig config, bool jsonLogs, CancellationToken cancellationToken)
    {
        _ = jsonLogs;
        cancellationToken.ThrowIfCancellationRequested();
        throw new StartupException(
            $"node '{config.Server.NodeId}': the node role cannot join a hub in this build yet (secure join is the next piece of work). Run the hub role instead.");
    }
}
