using System.Globalization;

namespace Mesh.Toml;

public sealed class TomlFloat : TomlNode
{
    internal TomlFloat(double value, TomlSpan span)
        : base(span)
    {
        Value = value;
    }

    public override TomlKind Kind => TomlKind.Float;

    public double Value { get; }

    /// <summary>TOML spelling: <c>inf</c>, <c>-inf</c>, <c>nan</c>, otherwise the shortest round-trip form.</summary>
    public override string ToString() => Value switch
    {
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        _ when double.IsNaN(Value) => "nan",
        _ => Value.ToString("R", CultureInfo.InvariantCulture),
    };
}
