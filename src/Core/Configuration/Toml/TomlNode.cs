namespace Mesh.Core.Configuration.Toml;

/// <summary>A value of a parsed TOML document and where it starts.</summary>
internal abstract class TomlNode(TomlPosition position)
{
    public TomlPosition Position { get; internal set; } = position;
}

/// <summary>A string, integer, float, boolean or date-time: <see cref="Value"/> is a string, long, double, bool or <see cref="Tomlyn.TomlDateTime"/>.</summary>
internal sealed class TomlValueNode(TomlPosition position, object value) : TomlNode(position)
{
    public object Value { get; } = value;
}

/// <summary>An array written as <c>[…]</c>, or an array of tables built from <c>[[name]]</c> headers.</summary>
internal sealed class TomlArrayNode(TomlPosition position, bool isArrayOfTables) : TomlNode(position)
{
    public bool IsArrayOfTables { get; } = isArrayOfTables;

    public List<TomlNode> Items { get; } = [];
}
