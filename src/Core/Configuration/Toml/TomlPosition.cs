namespace Mesh.Core.Configuration.Toml;

/// <summary>A 1-based line and column in a TOML document. Columns count characters (Unicode scalar values), as Tomlyn does.</summary>
internal readonly record struct TomlPosition(int Line, int Column)
{
    public static TomlPosition From(Tomlyn.Syntax.TextPosition position) => new(position.Line + 1, position.Column + 1);

    public override string ToString() => $"({Line},{Column})";
}
