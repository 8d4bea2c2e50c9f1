using System.CommandLine;
using Mesh.Hub.Access;
using Mesh.Hub.Hosting;

namespace Mesh.Cli;

/// <summary>
/// mesh admin reset-password [--user root]: gives a web UI account a new one-time password, written straight into the
/// hub's store, SQLite or PostgreSQL (works while the hub runs or is stopped), audited as ui_user.password_reset. The password goes to
/// stdout only, never to a log.
/// </summary>
internal sealed class AdminCommand(GlobalOptions options, TextWriter output, TextWriter error)
{
    private readonly Option<string> _user = new("--user") { Description = "The account (default root).", DefaultValueFactory = _ => RootAccountInitializer.RootUser };

    public Command Create()
    {
        var reset = new Command("reset-password", "Give a web UI account a new one-time password (printed once), clear its lockout, audit it.");
        reset.Options.Add(_user);
        reset.SetAction((result, ct) => ResetAsync(options.Read(result), result.GetValue(_user)!, ct));
        var admin = new Command("admin", "Hub administration from the hub's machine (reads the hub's configuration and data folder).");
        admin.Subcommands.Add(reset);
        return admin;
    }

    private async Task<int> ResetAsync(Invocation invocation, string user, CancellationToken cancellationToken)
    {
        if (!ConfigFile.TryLoad(invocation, error, out var config))
            return ExitCodes.Usage;
        var source = "cli:" + Environment.UserName + "@" + Environment.MachineName;
        var (password, problem) = await HubHost.ResetPasswordAsync(config, user, source, cancellationToken);
        if (password is null)
        {
            error.WriteLine("error: " + problem);
            return ExitCodes.Failure;
        }

        output.WriteLine($"mesh: the web UI account '{user}' has the new one-time password {password} (shown only now; change it on the Access page after logging in)");
        return ExitCodes.Ok;
    }
}
