using Mesh.Hosting;
using Mesh.Core.Configuration;
using Mesh.Hub.Hosting;
using Mesh.Roles;

namespace Mesh.Cli;

/// <summary>mesh run: start the role the configuration (or --node-mode) selects and run until SIGTERM/Ctrl-C.</summary>
internal static class RunCommand
{
    public static async Task<int> ExecuteAsync(Invocation invocation, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!ConfigFile.TryLoad(invocation, error, out var config))
            return ExitCodes.Usage;

        try
        {
            return config.Server.Role == MeshRole.Hub
                ? await HubHost.RunAsync(config, invocation.JsonLogs, output, cancellationToken,
                    (app, internalUrl, stopping) => EmbeddedNode.StartAsync(app, config, internalUrl, invocation.JsonLogs, output, stopping))
                : await NodeProcess.RunAsync(config, invocation.JsonLogs, output, cancellationToken);
        }
        catch (StartupException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
