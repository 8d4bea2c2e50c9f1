namespace Mesh.Core.Configuration.Toml;

/// <summary>One key of a table: its name, where the key is written, and its value.</summary>
internal sealed record TomlEntry(string Name, TomlPosition KeyPosition, TomlNode Value);

/// <summary>How a table came to be; TOML's rules for adding to it later depend on it.</summary>
internal enum TomlTableOrigin
{
    /// <summary>The document itself, or a table named only on the way to a deeper header (<c>a</c> in <c>[a.b]</c>).</summary>
    Implicit,

    /// <summary>Its own <c>[header]</c> or <c>[[header]]</c>.</summary>
    Header,

    /// <summary>A dotted key (<c>a</c> in <c>a.b = 1</c>).</summary>
    DottedKeys,

    /// <summary><c>{ … }</c>: closed once written.</summary>
    Inline,
}

/// <summary>A table (from a header, dotted keys or an inline table); keys keep the order they were written in.</summary>
internal sealed class TomlTableNode(TomlPosition position, TomlTableOrigin origin) : TomlNode(position)
{
    private readonly List<TomlEntry> _entries = [];
    private readonly Dictionary<string, int> _indexByName = new(StringComparer.Ordinal);

    public TomlTableOrigin Origin { get; internal set; } = origin;

    public bool IsInline => Origin == TomlTableOrigin.Inline;

    public IReadOnlyList<TomlEntry> Entries => _entries;

    public TomlNode this[string name] => _entries[_indexByName[name]].Value;

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TomlEntry? entry)
    {
        entry = _indexByName.TryGetValue(name, out var index) ? _entries[index] : null;
        return entry is not null;
    }

    public void Add(TomlEntry entry)
    {
        _indexByName.Add(entry.Name, _entries.Count);
        _entries.Add(entry);
    }

    public void Replace(TomlEntry entry) => _entries[_indexByName[entry.Name]] = entry;
}
