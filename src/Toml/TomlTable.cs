using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Mesh.Toml;

/// <summary>A TOML table. Enumerates in insertion order.</summary>
public sealed class TomlTable : TomlNode, IReadOnlyDictionary<string, TomlNode>
{
    private readonly OrderedDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    internal TomlTable(TableOrigin origin, TomlSpan span)
        : base(span)
    {
        Origin = origin;
    }

    public override TomlKind Kind => TomlKind.Table;

    /// <summary>True for an inline table (<c>{ ... }</c>).</summary>
    public bool IsInline => Origin == TableOrigin.Inline;

    /// <summary>How the table came to be; drives the redefinition rules while parsing.</summary>
    internal TableOrigin Origin { get; set; }

    public int Count => _entries.Count;

    public IEnumerable<string> Keys => _entries.Keys;

    public IEnumerable<TomlNode> Values => _entries.Values.Select(e => e.Node);

    public TomlNode this[string key] =>
        _entries.TryGetValue(key, out var entry) ? entry.Node : throw new KeyNotFoundException($"The TOML table has no key '{key}'.");

    public bool ContainsKey(string key) => _entries.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out TomlNode value)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            value = entry.Node;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>
    /// Where <paramref name="key"/> was written: the last segment of a dotted key, or for a sub-table
    /// created by <c>[a.b]</c> the <c>b</c> in the header.
    /// </summary>
    public TomlSpan GetKeySpan(string key) =>
        _entries.TryGetValue(key, out var entry) ? entry.KeySpan : throw new KeyNotFoundException($"The TOML table has no key '{key}'.");

    public IEnumerator<KeyValuePair<string, TomlNode>> GetEnumerator()
    {
        foreach (var pair in _entries)
        {
            yield return new KeyValuePair<string, TomlNode>(pair.Key, pair.Value.Node);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal bool TryGetEntry(string key, out TomlNode node)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            node = entry.Node;
            return true;
        }

        node = null!;
        return false;
    }

    internal void Add(string key, TomlNode node, TomlSpan keySpan) => _entries.Add(key, new Entry(node, keySpan));

    internal void SetKeySpan(string key, TomlSpan keySpan)
    {
        var entry = _entries[key];
        _entries[key] = entry with { KeySpan = keySpan };
    }

    internal void SetSpan(TomlSpan span) => Span = span;

    /// <summary>The child tables, without allocating an iterator (used to seal inline tables).</summary>
    internal void SealChildren(Action<TomlTable> seal)
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            if (_entries.GetAt(i).Value.Node is TomlTable child)
            {
                seal(child);
            }
        }
    }

    private readonly record struct Entry(TomlNode Node, TomlSpan KeySpan);
}

/// <summary>How a table was created; TOML's redefinition rules depend on it.</summary>
internal enum TableOrigin
{
    /// <summary>The document root.</summary>
    Root,

    /// <summary>Defined by a <c>[header]</c>, or an element of an array of tables.</summary>
    Header,

    /// <summary>Created as a parent of a header (<c>a</c> in <c>[a.b]</c>); may be defined once later.</summary>
    Implicit,

    /// <summary>Created by a dotted key (<c>a.b = 1</c>); open to dotted keys of the same section only.</summary>
    Dotted,

    /// <summary>An inline table or a table inside one: closed for good.</summary>
    Inline,
}
