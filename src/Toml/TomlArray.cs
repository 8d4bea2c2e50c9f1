using System.Collections;

namespace Mesh.Toml;

/// <summary>A TOML array: a static <c>[ ... ]</c> value, or an array of tables built by <c>[[header]]</c>s.</summary>
public sealed class TomlArray : TomlNode, IReadOnlyList<TomlNode>
{
    private readonly List<TomlNode> _items;

    internal TomlArray(bool isArrayOfTables, TomlSpan span, List<TomlNode>? items = null)
        : base(span)
    {
        IsArrayOfTables = isArrayOfTables;
        _items = items ?? [];
    }

    public override TomlKind Kind => TomlKind.Array;

    /// <summary>True when built by <c>[[name]]</c> headers (such an array can be appended to by later headers).</summary>
    public bool IsArrayOfTables { get; }

    public int Count => _items.Count;

    public TomlNode this[int index] => _items[index];

    internal void Add(TomlNode item) => _items.Add(item);

    public List<TomlNode>.Enumerator GetEnumerator() => _items.GetEnumerator();

    IEnumerator<TomlNode> IEnumerable<TomlNode>.GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();
}
