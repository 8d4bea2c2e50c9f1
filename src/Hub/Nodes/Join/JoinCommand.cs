namespace Mesh.Hub.Nodes.Join;

/// <summary>How a machine runs the install script the hub serves (<c>/join/install.sh</c>, docs/deploy.md).</summary>
/// <param name="WebBase">The hub's web address the machine downloads from, e.g. <c>https://hub.example.com:8080</c>.</param>
/// <param name="HubTarget">The hub's internal gRPC address the node dials, e.g. <c>https://hub.example.com:50051</c>.</param>
/// <param name="Mode">The hub's <c>[internal_grpc.security] mode</c>: tls or mtls.</param>
public sealed record JoinCommand(string WebBase, string HubTarget, string Mode)
{
    public string ScriptUrl => WebBase + "/join/install.sh";

    /// <summary>The script's arguments, token excepted: it goes in as --token or --token-file.</summary>
    public IReadOnlyList<string> Arguments(string? nodeId, bool noService, bool background, string? root)
    {
        var args = new List<string> { "--hub", HubTarget };
        if (nodeId is not null)
            args.AddRange(["--node-id", nodeId]);
        if (Mode != "tls")
            args.AddRange(["--mode", Mode]);
        if (noService)
            args.Add("--no-service");
        if (background)
            args.Add("--background");
        if (root is not null)
            args.AddRange(["--root", root]);
        return args;
    }

    /// <summary>The line an operator pastes on the new machine (the token in it, as the Join page shows it once).</summary>
    public string OneLine(string token, string? nodeId, bool noService) =>
        $"curl -fsSL {ShellQuote.Quote(ScriptUrl)} | sudo sh -s -- {ShellQuote.Join([.. Arguments(nodeId, noService, false, null), "--token", token])}";

    /// <summary>
    /// What the hub runs over SSH: one <c>sh -c</c> word, so the login shell only parses a quoted string. The token
    /// arrives on standard input into a 0600 temporary file (never in a command line another user's <c>ps</c> shows),
    /// the script is downloaded first (a failed download fails the command instead of running an empty script), and
    /// <c>sudo -n</c> is used unless the user is root (a password prompt fails at once instead of hanging).
    /// </summary>
    public string RemoteCommand(string? nodeId, bool noService, string? root)
    {
        var args = ShellQuote.Join(Arguments(nodeId, noService, background: noService, root));
        var script = $"""
            umask 077
            t=$(mktemp) || exit 1
            trap 'rm -f "$t"' EXIT
            IFS= read -r line; printf '%s\n' "$line" > "$t"
            s=$(curl -fsSL {ShellQuote.Quote(ScriptUrl)}) || {"{"} echo "mesh-install: error: cannot download {ScriptUrl} from this machine" >&2; exit 1; {"}"}
            if [ "$(id -u)" -eq 0 ]; then run=; else run='sudo -n'; fi
            printf '%s\n' "$s" | $run sh -s -- {args} --token-file "$t"
            """;
        return "sh -c " + ShellQuote.Quote(script);
    }
}
