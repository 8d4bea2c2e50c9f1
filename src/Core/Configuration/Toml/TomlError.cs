namespace Mesh.Core.Configuration.Toml;

/// <summary>Why a TOML document was refused, and where.</summary>
internal sealed record TomlError(TomlPosition Position, string Message)
{
    /// <summary>The Mesh diagnostic shape: <c>file(line,col): error: message</c>.</summary>
    public string ToString(string? path) => $"{path ?? "<input>"}({Position.Line},{Position.Column}): error: {Message}";

    public override string ToString() => ToString(null);
}
