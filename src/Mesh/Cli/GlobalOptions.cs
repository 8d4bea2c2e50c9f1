using System.CommandLine;

namespace Mesh.Cli;

/// <summary>Options every verb understands.</summary>
internal sealed class GlobalOptions
{
    private readonly Option<string?> _config = new("--config", "-c")
    {
        Description = "Path of the TOML configuration file (default: $MESH_CONFIG).",
        Recursive = true,
    };

    private readonly Option<bool> _nodeMode = new("--node-mode")
    {
        Description = "Run as a node whatever [server] role says (for a DaemonSet sharing the hub's ConfigMap).",
        Recursive = true,
    };

    private readonly Option<string> _logFormat = new("--log-format")
    {
        Description = "Log output: 'text' (default) or 'json' (one JSON object per line).",
        DefaultValueFactory = _ => "text",
        Recursive = true,
    };

    public GlobalOptions() => _logFormat.AcceptOnlyFromAmong("text", "json");

    public void AddTo(RootCommand root)
    {
        root.Options.Add(_config);
        root.Options.Add(_nodeMode);
        root.Options.Add(_logFormat);
    }

    public Invocation Read(ParseResult result) => new(
        result.GetValue(_config) ?? NullIfEmpty(Environment.GetEnvironmentVariable("MESH_CONFIG")),
        result.GetValue(_nodeMode),
        result.GetValue(_logFormat) == "json");

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>What the user asked for, after parsing.</summary>
internal sealed record Invocation(string? ConfigPath, bool NodeMode, bool JsonLogs);
