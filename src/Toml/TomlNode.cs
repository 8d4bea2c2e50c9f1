namespace Mesh.Toml;

/// <summary>A value in a TOML document.</summary>
public abstract class TomlNode
{
    private protected TomlNode(TomlSpan span)
    {
        Span = span;
    }

    public abstract TomlKind Kind { get; }

    /// <summary>The span of the value as written; for a table, its header (or the first key that created it).</summary>
    public TomlSpan Span { get; private protected set; }
}
