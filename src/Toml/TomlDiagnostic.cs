namespace Mesh.Toml;

/// <summary>One problem found in a TOML document.</summary>
public sealed record TomlDiagnostic(string? Path, TomlSpan Span, string Message)
{
    /// <summary>Formats as <c>path(line,col): error: message</c>, with <c>&lt;input&gt;</c> when no path is known.</summary>
    public override string ToString() =>
        $"{Path ?? "<input>"}({Span.Start.Line},{Span.Start.Column}): error: {Message}";
}
