using System.CommandLine;
using Mesh.Core.Configuration;

namespace Mesh.Cli;

/// <summary>The mesh command line: run (default), config check, store migrate, cluster-token, actor-token, agents, admin, version.</summary>
public static class MeshCommandLine
{
    public static async Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var options = new GlobalOptions();
        var root = new RootCommand("Mesh: run AI agents across many machines from one hub. With no verb, runs 'mesh run'.");
        options.AddTo(root);

        var run = new Command("run", "Run this process as a hub or a node, as the configuration says.");
        run.SetAction((result, ct) => RunCommand.ExecuteAsync(options.Read(result), output, error, ct));
        root.SetAction((result, ct) => RunCommand.ExecuteAsync(options.Read(result), output, error, ct));

        var config = new Command("config", "Work with configuration files.");
        var check = new Command("check", "Validate a configuration file and print a one-line summary, or every problem (exit 2).");
        check.SetAction(result => ConfigCheckCommand.Execute(options.Read(result), output, error));
        config.Subcommands.Add(check);

        var store = new Command("store", "Work with the hub's store ([store]: SQLite or PostgreSQL).");
        var migrate = new Command("migrate", "Apply the hub's schema to the configured store and exit (a hub also does this at start). Refuses a schema from a newer Mesh (exit 1).");
        migrate.SetAction((result, ct) => StoreMigrateCommand.ExecuteAsync(options.Read(result), output, error, ct));
        store.Subcommands.Add(migrate);

        var clusterToken = new Command("cluster-token", "Print the cluster bootstrap token (for a DaemonSet's Secret) from the hub's configuration and CA.");
        clusterToken.SetAction(result => ClusterTokenCommand.Execute(options.Read(result), output, error));

        var actorToken = new ActorTokenCommand().Create(options, output, error);
        var agents = new AgentsCommand(options, output, error).Create();
        var admin = new AdminCommand(options, output, error).Create();

        var version = new Command("version", "Print the version of this mesh binary.");
        version.SetAction(_ =>
        {
            output.WriteLine($"mesh {BuildInfo.Version} (.NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier})");
            return ExitCodes.Ok;
        });

        root.Subcommands.Add(run);
        root.Subcommands.Add(config);
        root.Subcommands.Add(store);
        root.Subcommands.Add(clusterToken);
        root.Subcommands.Add(actorToken);
        root.Subcommands.Add(agents);
        root.Subcommands.Add(admin);
        root.Subcommands.Add(version);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
                error.WriteLine($"error: {problem.Message}");
            error.WriteLine("Run 'mesh --help' for usage.");
            return ExitCodes.Usage;
        }

        // The host handles SIGTERM/Ctrl-C itself so shutdown can finish in-flight work.
        var invocation = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        return await parsed.InvokeAsync(invocation);
    }
}
