using Mesh.Core.Configuration;
using Mesh.Hosting;
using Mesh.Hub.Hosting;

namespace Mesh.Cli;

/// <summary>
/// mesh store migrate: applies the hub's schema to the store [store] names and exits, starting nothing else. For a
/// release step (a Kubernetes Job, a deploy script) ahead of the hubs; a hub also migrates at start.
/// </summary>
internal static class StoreMigrateCommand
{
    public static async Task<int> ExecuteAsync(Invocation invocation, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!ConfigFile.TryLoad(invocation, error, out var config))
            return ExitCodes.Usage;
        if (config.Server.Role != MeshRole.Hub)
        {
            error.WriteLine("error: only a hub has a store; this configuration is a node's ([server] role).");
            return ExitCodes.Usage;
        }

        try
        {
            var applied = await HubHost.MigrateStoreAsync(config, cancellationToken);
            output.WriteLine(applied.Count == 0
                ? $"store {config.Store}: schema up to date"
                : $"store {config.Store}: applied {applied.Count} step(s): {string.Join(", ", applied)}");
            return ExitCodes.Ok;
        }
        catch (StartupException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
