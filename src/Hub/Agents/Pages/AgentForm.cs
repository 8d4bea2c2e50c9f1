using System.Globalization;

namespace Mesh.Hub.Agents.Pages;

/// <summary>
/// The create-agent form: the values as typed (kept when the service refuses them), the refusal placed on the
/// field it is about, and the mapping to an <see cref="AgentRequest"/> (command: one argument per line, no shell;
/// environment: NAME=value per line; memory in MiB).
/// </summary>
public sealed class AgentForm
{
    public static readonly string[] Names =
        ["id", "name", "placement", "capabilities", "codebase", "command", "environment", "work_dir", "work_mode", "repo", "ref", "restart_policy", "stop_grace_seconds", "memory_mib", "pids_max", "input", "start_now"];

    public Dictionary<string, string> Values { get; init; } = new(StringComparer.Ordinal) { ["restart_policy"] = AgentPolicies.OnFailure, ["start_now"] = "yes" };

    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    public string Value(string name) => Values.GetValueOrDefault(name) ?? "";

    public string? Error(string name) => Errors.GetValueOrDefault(name);

    public AgentFieldError FieldError(string name) => new(name, Error(name));

    public static AgentForm FromRequest(IFormCollection form) =>
        new() { Values = Names.ToDictionary(n => n, n => form[n].ToString(), StringComparer.Ordinal) };

    /// <summary>The request the form describes; an <see cref="AgentException"/> naming the field when a value cannot be read.</summary>
    public AgentRequest ToRequest() => new(
        Id: Text("id") ?? "",
        Name: Text("name"),
        Placement: Text("placement") ?? AgentPolicies.Auto,
        Capabilities: Text("capabilities") is { } tags ? tags.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries) : null,
        Command: Lines("command"),
        Environment: Environment(),
        WorkDir: Text("work_dir"),
        WorkMode: Text("work_mode"),
        Repo: Text("work_mode") == AgentWorkFolderDefinition.CreateWorktree ? Text("repo") : null,
        Ref: Text("work_mode") == AgentWorkFolderDefinition.CreateWorktree ? Text("ref") : null,
        RestartPolicy: Text("restart_policy"),
        StopGraceSeconds: Number("stop_grace_seconds", "the stop grace is a whole number of seconds"),
        MemoryMaxBytes: Number("memory_mib", "the memory limit is a whole number of MiB (0 or empty: no limit)") * (1L << 20),
        PidsMax: Number("pids_max", "the process limit is a whole number (0 or empty: no limit)"),
        DesiredState: Value("start_now") == "yes" ? AgentPolicies.Running : AgentPolicies.Stopped,
        Interactive: Text("input") is "stdin" or "tty",
        Tty: Text("input") == "tty",
        Codebase: Text("codebase"));

    /// <summary>Puts the service's refusal on the form field it names (memory_max_bytes on the MiB field, …); "form" when it names none.</summary>
    public void Refused(AgentException ex) => Errors[ex.Field switch
    {
        "memory_max_bytes" => "memory_mib",
        "desired_state" => "start_now",
        { } field when Names.Contains(field, StringComparer.Ordinal) => field,
        _ => "form",
    }] = ex.Message;

    private string? Text(string name) => Value(name).Trim() is { Length: > 0 } text ? text : null;

    private List<string> Lines(string name) =>
        [.. Value(name).ReplaceLineEndings("\n").Split('\n').Where(line => line.Length > 0)];

    private Dictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (line, number) in Lines("environment").Select((l, i) => (l, i + 1)))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
                throw new AgentException(AgentError.InvalidArgument, $"line {number}: write NAME=value (no '=' in \"{DisplayText.Truncate(line, 40)}\").", "environment");
            if (!environment.TryAdd(line[..equals].Trim(), line[(equals + 1)..]))
                throw new AgentException(AgentError.InvalidArgument, $"line {number}: {DisplayText.Truncate(line[..equals].Trim(), 40)} is set twice.", "environment");
        }

        return environment;
    }

    private int? Number(string name, string what) =>
        Text(name) is not { } text ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw new AgentException(AgentError.InvalidArgument, $"{what}, not \"{DisplayText.Truncate(text, 20)}\".", name);
}

/// <summary>One field's refusal as the form shows it beside the field (none: nothing shown).</summary>
public sealed record AgentFieldError(string Field, string? Message);
