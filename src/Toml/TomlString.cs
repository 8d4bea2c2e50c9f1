namespace Mesh.Toml;

public sealed class TomlString : TomlNode
{
    internal TomlString(string value, TomlSpan span)
        : base(span)
    {
        Value = value;
    }

    public override TomlKind Kind => TomlKind.String;

    public string Value { get; }

    public override string ToString() => Value;
}
