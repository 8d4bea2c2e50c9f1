using System.Collections;
using System.CommandLine;
using Mesh.ActorCli.Commands;
using Grpc.Core;

namespace Mesh.ActorCli;

/// <summary>The actor CLI: mailbox, team, time trigger and permission review commands for agents.</summary>
public static class ActorCommandLine
{
    public static async Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        environment ??= Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

        var globals = new GlobalOptions();
        var root = new RootCommand("actor: read your inbox, message your team, set time triggers and ask for permission through a Mesh hub.");
        globals.AddTo(root);

        Func<ParseResult, CancellationToken, Task<int>> Run(Func<ParseResult, CliContext, CancellationToken, Task<int>> body) =>
            (result, ct) => ExecuteAsync(result, new CliContext(globals.Read(result), output, error, environment), body, ct);

        root.Subcommands.Add(InboxCommand.Create(Run));
        root.Subcommands.Add(AckCommand.Create(Run));
        root.Subcommands.Add(SendCommand.Create(Run));
        root.Subcommands.Add(TeamMembersCommand.Create(Run));
        foreach (var command in TriggerCommands.Create(Run))
            root.Subcommands.Add(command);
        foreach (var command in PermissionCommands.Create(Run))
            root.Subcommands.Add(command);
        root.Subcommands.Add(HelpCommand.Create(root, output, error));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
                error.WriteLine($"error: {problem.Message}");
            error.WriteLine("Run 'actor help' or 'actor <command> --help' for usage.");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        return await parsed.InvokeAsync(invocation);
    }

    private static async Task<int> ExecuteAsync(ParseResult result, CliContext context, Func<ParseResult, CliContext, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body(result, context, cancellationToken);
        }
        catch (UsageException ex)
        {
            context.Err.WriteLine("error: " + ex.Message);
            return ExitCodes.Usage;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        catch (RpcException ex)
        {
            return context.Report(ex);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        catch (Exception ex)
        {
            context.Err.WriteLine($"error: unexpected failure ({ex.GetType().Name}): {ex.Message}");
            return ExitCodes.Failed;
        }
    }
}
