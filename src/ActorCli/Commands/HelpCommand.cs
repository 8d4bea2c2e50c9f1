using System.CommandLine;

namespace Mesh.ActorCli.Commands;

/// <summary>actor help [topic]: a command's usage, or one of the topics below.</summary>
internal static class HelpCommand
{
    private static readonly Dictionary<string, string> Topics = new(StringComparer.OrdinalIgnoreCase)
    {
        ["connection"] = """
            Where actor connects and who it is, first match wins:
              endpoint   --target URL, $MESH_GRPC_TARGET, $MESH_ENDPOINT, else [internal_grpc] listen of --config/$MESH_CONFIG
              token      --token T, $MESH_ACTOR_TOKEN, the file $MESH_ACTOR_TOKEN_FILE, else a root token minted from the config's shared secret
              CA         --ca-file F, $MESH_CA_FILE, else cert_dir/ca.crt of the config
              actor      --actor-id ID, $MESH_ACTOR_ID (with an actor token: must match it, or be empty)
              run, team  --run-id / --team-id, else $MESH_RUN_ID / $MESH_TEAM_ID
            An actor token may read only its own inbox, send as itself and answer reviews assigned to it.
            A root token (from the hub configuration) may act for any actor with --actor-id.
            """,
        ["exit-codes"] = """
            0  success
            1  the operation failed (refused by the hub, or any item of a repeated --message-id/--permission-id failed)
            2  usage: bad or conflicting options, unreadable file, invalid JSON; nothing was sent
            3  cannot reach or authenticate with the endpoint (down, TLS failure, expired or wrong token)
            """,
        ["output"] = """
            Tables by default; --json prints one JSON object (send: {"message_id": …, "status": …};
            inbox: {"messages": [...], "pending_count": N}); a repeated --message-id or --permission-id prints
            a JSON array of per-item results; inbox --watch --json prints one JSON object per line.
            Errors are one line on stderr: "error: <what happened and what to do>".
            """,
    };

    public static Command Create(RootCommand root, TextWriter output, TextWriter error)
    {
        var topic = new Argument<string?>("topic") { Description = "A command (e.g. send) or a topic: connection, exit-codes, output.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("help", "Show help for a command or topic.") { topic };
        command.SetAction(result =>
        {
            var name = result.GetValue(topic);
            if (name is null)
            {
                var code = root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = output, Error = error });
                output.WriteLine("Topics: actor help connection | exit-codes | output");
                return code;
            }

            if (Topics.TryGetValue(name, out var text))
            {
                output.WriteLine(text.TrimEnd());
                return ExitCodes.Ok;
            }

            if (root.Subcommands.Any(c => c.Name == name))
                return root.Parse([name, "--help"]).Invoke(new InvocationConfiguration { Output = output, Error = error });

            error.WriteLine($"error: no command or topic '{name}'. Commands: {string.Join(", ", root.Subcommands.Select(c => c.Name))}; topics: {string.Join(", ", Topics.Keys)}.");
            return ExitCodes.Usage;
        });
        return command;
    }
}
