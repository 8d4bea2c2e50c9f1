namespace Mesh.Core.Configuration;

/// <summary>One thing wrong with a configuration, with where it is and how to fix it.</summary>
public sealed record ConfigProblem(ConfigLocation Location, string? Key, string Message)
{
    public override string ToString() =>
        Key is null ? $"{Location}: error: {Message}" : $"{Location}: error: {Key}: {Message}";
}
