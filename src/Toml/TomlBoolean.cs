namespace Mesh.Toml;

public sealed class TomlBoolean : TomlNode
{
    internal TomlBoolean(bool value, TomlSpan span)
        : base(span)
    {
        Value = value;
    }

    public override TomlKind Kind => TomlKind.Boolean;

    public bool Value { get; }

    public override string ToString() => Value ? "true" : "false";
}
