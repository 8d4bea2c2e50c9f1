namespace Mesh.Toml;

/// <summary>Thrown by <see cref="TomlParser.Parse(string, string?)"/> when the document is not valid TOML 1.0.</summary>
public sealed class TomlException : Exception
{
    public TomlException(IReadOnlyList<TomlDiagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics))
    {
        Diagnostics = diagnostics;
    }

    public IReadOnlyList<TomlDiagnostic> Diagnostics { get; }
}
