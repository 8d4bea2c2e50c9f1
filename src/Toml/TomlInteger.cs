using System.Globalization;

namespace Mesh.Toml;

public sealed class TomlInteger : TomlNode
{
    internal TomlInteger(long value, TomlSpan span)
        : base(span)
    {
        Value = value;
    }

    public override TomlKind Kind => TomlKind.Integer;

    public long Value { get; }

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
