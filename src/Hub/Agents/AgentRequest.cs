namespace Mesh.Hub.Agents;

/// <summary>The fields an operator sets on create (all but id, command and placement optional) or update (any subset).</summary>
public sealed record AgentRequest(
    string? Id = null,
    string? Name = null,
    string? TeamId = null,
    string? Role = null,
    string? Placement = null,
    IReadOnlyList<string>? Capabilities = null,
    IReadOnlyList<string>? Command = null,
    IReadOnlyDictionary<string, string>? Environment = null,
    string? WorkDir = null,
    string? RestartPolicy = null,
    int? StopGraceSeconds = null,
    long? MemoryMaxBytes = null,
    int? PidsMax = null,
    string? DesiredState = null,
    bool? KillOnOutputLimit = null,
    bool? Interactive = null,
    bool? Tty = null,
    string? WorkMode = null,
    string? Repo = null,
    string? Ref = null,
    bool? Detach = null,
    IReadOnlyList<string>? CopyFiles = null,
    IReadOnlyList<string>? SetupCommand = null,
    string? Codebase = null);
