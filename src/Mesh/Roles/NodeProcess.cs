using Mesh.Core.Configuration;
using Mesh.Hosting;
using Mesh.Node.Hosting;

namespace Mesh.Roles;

/// <summary>Runs the node role until SIGTERM/Ctrl-C, or until a condition only an operator can fix (a <see cref="StartupException"/>).</summary>
internal static class NodeProcess
{
    public static Task<int> RunAsync(MeshConfig config, bool jsonLogs, TextWriter output, CancellationToken cancellationToken) =>
        NodeHost.RunAsync(config, logging => MeshLogging.Configure(logging, jsonLogs), output, cancellationToken);
}
