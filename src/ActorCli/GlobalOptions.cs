using System.CommandLine;

namespace Mesh.ActorCli;

/// <summary>Options every subcommand understands.</summary>
internal sealed class GlobalOptions
{
    public Option<bool> Json { get; } = new("--json") { Description = "Print JSON instead of a readable table.", Recursive = true };

    public Option<string?> ActorId { get; } = new("--actor-id")
    {
        Description = "Act as this actor (default $MESH_ACTOR_ID). With a root token it selects the actor; with an actor token it must match it.",
        Recursive = true,
    };

    public Option<string?> Target { get; } = new("--target") { Description = "Mailbox endpoint, https://host:port (default $MESH_GRPC_TARGET).", Recursive = true };

    public Option<string?> Token { get; } = new("--token") { Description = "Bearer token (default $MESH_ACTOR_TOKEN).", Recursive = true };

    public Option<string?> CaFile { get; } = new("--ca-file") { Description = "PEM file of the CA that signed the endpoint's certificate (default $MESH_CA_FILE, or cert_dir/ca.crt with --config).", Recursive = true };

    public Option<string?> Config { get; } = new("--config", "-c") { Description = "Hub configuration: root mode, mints a root token from its shared secret (default $MESH_CONFIG).", Recursive = true };

    public Option<int> TimeoutSeconds { get; } = new("--timeout-seconds")
    {
        Description = "Deadline of each call in seconds.",
        DefaultValueFactory = _ => 30,
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        TimeoutSeconds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 3600)
                r.AddError("--timeout-seconds must be from 1 to 3600.");
        });
        foreach (var option in new Option[] { Json, ActorId, Target, Token, CaFile, Config, TimeoutSeconds })
            root.Options.Add(option);
    }

    public GlobalValues Read(ParseResult result) => new(
        result.GetValue(Json),
        result.GetValue(ActorId),
        result.GetValue(Target),
        result.GetValue(Token),
        result.GetValue(CaFile),
        result.GetValue(Config),
        result.GetValue(TimeoutSeconds));
}

internal sealed record GlobalValues(bool Json, string? ActorId, string? Target, string? Token, string? CaFile, string? ConfigPath, int TimeoutSeconds);
