namespace Mesh.Toml.Parsing;

/// <summary>Headers, key/value pairs and TOML's redefinition rules.</summary>
internal sealed partial class Parser
{
    private void ParseHeader()
    {
        var start = _pos;
        var isArray = Peek(1) == '[';
        _pos += isArray ? 2 : 1;
        SkipWhitespace();
        var parts = ParseKey(isArray ? "a table name after '[['" : "a table name after '['");
        SkipWhitespace();
        if (Peek() != ']' || AtEnd)
        {
            throw Error(_pos, $"unexpected {DescribeAt(_pos)} in {(isArray ? "array-of-tables header; expected ']]'" : "table header; expected ']'")}");
        }

        _pos++;
        if (isArray)
        {
            if (Peek() != ']' || AtEnd)
            {
                throw Error(_pos, $"unexpected {DescribeAt(_pos)} in array-of-tables header; expected ']]'");
            }

            _pos++;
        }

        var span = SpanOf(start, _pos);
        _current = isArray ? DefineArrayTable(parts, span) : DefineTable(parts, span);
        ReturnKey(parts);
        ExpectLineEnd(isArray ? "an array-of-tables header" : "a table header");
    }

    private void ParseKeyValue()
    {
        var parts = ParseKey("a key");
        SkipWhitespace();
        if (Peek() != '=' || AtEnd)
        {
            throw Error(_pos, $"expected '=' after key '{FormatKey(parts, parts.Count)}'");
        }

        _pos++;
        SkipWhitespace();
        var (table, last) = ResolveDottedKey(_current, parts);
        var value = ParseValue(new Owner(parts, Element: false));
        table.Add(last.Name, value, SpanOf(last.Start, last.End));
        ReturnKey(parts);
        ExpectLineEnd("a value");
    }

    /// <summary>
    /// Walks the dotted key's parent segments from <paramref name="table"/>, creating tables as needed, and checks the
    /// last segment is new. Dotted keys may only pass through tables that dotted keys created in this same section.
    /// </summary>
    private (TomlTable Table, KeyPart Last) ResolveDottedKey(TomlTable table, List<KeyPart> parts)
    {
        for (var i = 0; i < parts.Count - 1; i++)
        {
            var part = parts[i];
            if (!table.TryGetEntry(part.Name, out var node))
            {
                var created = new TomlTable(TableOrigin.Dotted, SpanOf(part.Start, part.End));
                table.Add(part.Name, created, SpanOf(part.Start, part.End));
                table = created;
                continue;
            }

            var name = FormatKey(parts, i + 1);
            var previous = DefinedAt(table, part.Name);
            table = node switch
            {
                TomlTable { Origin: TableOrigin.Dotted } t => t,
                TomlTable { Origin: TableOrigin.Inline } => throw Error(part.Start, $"cannot add keys to inline table '{name}' (defined at {previous}); an inline table is complete once defined"),
                TomlTable => throw Error(part.Start, $"cannot use dotted key '{FormatKey(parts, parts.Count)}' to add to table '{name}', which is defined by a [header] (at {previous}); put the key under that header"),
                TomlArray => throw Error(part.Start, $"cannot use key '{name}' as a table: it is already an array (defined at {previous})"),
                _ => throw Error(part.Start, $"cannot use key '{name}' as a table: it is already {KindName(node)} (defined at {previous})"),
            };
        }

        var last = parts[^1];
        if (table.TryGetEntry(last.Name, out var existing))
        {
            throw Error(last.Start, $"duplicate key '{FormatKey(parts, parts.Count)}': already defined as {KindName(existing)} at {DefinedAt(table, last.Name)}");
        }

        return (table, last);
    }

    private TomlTable DefineTable(List<KeyPart> parts, TomlSpan headerSpan)
    {
        var parent = WalkHeaderParents(parts, headerSpan);
        var last = parts[^1];
        var keySpan = SpanOf(last.Start, last.End);
        var name = FormatKey(parts, parts.Count);
        if (!parent.TryGetEntry(last.Name, out var node))
        {
            var table = new TomlTable(TableOrigin.Header, headerSpan);
            parent.Add(last.Name, table, keySpan);
            return table;
        }

        var previous = DefinedAt(parent, last.Name);
        switch (node)
        {
            case TomlTable { Origin: TableOrigin.Implicit } implicitTable:
                implicitTable.Origin = TableOrigin.Header;
                implicitTable.SetSpan(headerSpan);
                parent.SetKeySpan(last.Name, keySpan);
                return implicitTable;
            case TomlTable { Origin: TableOrigin.Dotted }:
                throw Error(last.Start, $"table '{name}' is already defined by dotted keys at {previous}");
            case TomlTable { Origin: TableOrigin.Inline }:
                throw Error(last.Start, $"table '{name}' is already defined as an inline table at {previous}");
            case TomlTable:
                throw Error(last.Start, $"table '{name}' is already defined at {previous}");
            case TomlArray { IsArrayOfTables: true }:
                throw Error(last.Start, $"'{name}' is already an array of tables (defined at {previous}); use [[{name}]] to add an element");
            default:
                throw Error(last.Start, $"cannot define table '{name}': the key is already {KindName(node)} (defined at {previous})");
        }
    }

    private TomlTable DefineArrayTable(List<KeyPart> parts, TomlSpan headerSpan)
    {
        var parent = WalkHeaderParents(parts, headerSpan);
        var last = parts[^1];
        var keySpan = SpanOf(last.Start, last.End);
        var name = FormatKey(parts, parts.Count);
        var element = new TomlTable(TableOrigin.Header, headerSpan);
        if (!parent.TryGetEntry(last.Name, out var node))
        {
            var array = new TomlArray(isArrayOfTables: true, headerSpan);
            array.Add(element);
            parent.Add(last.Name, array, keySpan);
            return element;
        }

        var previous = DefinedAt(parent, last.Name);
        switch (node)
        {
            case TomlArray { IsArrayOfTables: true } array:
                array.Add(element);
                return element;
            case TomlArray:
                throw Error(last.Start, $"cannot append to '{name}' with [[{name}]]: it is a static array (defined at {previous})");
            case TomlTable:
                throw Error(last.Start, $"cannot define '{name}' as an array of tables: it is already a table (defined at {previous})");
            default:
                throw Error(last.Start, $"cannot define '{name}' as an array of tables: the key is already {KindName(node)} (defined at {previous})");
        }
    }

    /// <summary>Walks all but the last header segment, creating implicit tables and entering the last element of arrays of tables.</summary>
    private TomlTable WalkHeaderParents(List<KeyPart> parts, TomlSpan headerSpan)
    {
        var table = _root;
        for (var i = 0; i < parts.Count - 1; i++)
        {
            var part = parts[i];
            if (!table.TryGetEntry(part.Name, out var node))
            {
                var created = new TomlTable(TableOrigin.Implicit, headerSpan);
                table.Add(part.Name, created, SpanOf(part.Start, part.End));
                table = created;
                continue;
            }

            var name = FormatKey(parts, i + 1);
            var previous = DefinedAt(table, part.Name);
            table = node switch
            {
                TomlTable { Origin: TableOrigin.Inline } => throw Error(part.Start, $"cannot add to inline table '{name}' (defined at {previous}); an inline table is complete once defined"),
                TomlTable t => t,
                TomlArray { IsArrayOfTables: true } array => (TomlTable)array[^1],
                TomlArray => throw Error(part.Start, $"cannot use '{name}' as a table: it is a static array (defined at {previous})"),
                _ => throw Error(part.Start, $"cannot use '{name}' as a table: it is already {KindName(node)} (defined at {previous})"),
            };
        }

        return table;
    }

    private static string DefinedAt(TomlTable table, string key)
    {
        var p = table.GetKeySpan(key).Start;
        return $"line {p.Line}, column {p.Column}";
    }

    private static string KindName(TomlNode node) => node.Kind switch
    {
        TomlKind.String => "a string",
        TomlKind.Integer => "an integer",
        TomlKind.Float => "a float",
        TomlKind.Boolean => "a boolean",
        TomlKind.OffsetDateTime => "an offset date-time",
        TomlKind.LocalDateTime => "a local date-time",
        TomlKind.LocalDate => "a local date",
        TomlKind.LocalTime => "a local time",
        TomlKind.Array => node is TomlArray { IsArrayOfTables: true } ? "an array of tables" : "an array",
        _ => node is TomlTable { IsInline: true } ? "an inline table" : "a table",
    };

    /// <summary>Closes an inline table and every table nested in it by dotted keys.</summary>
    private static void Seal(TomlTable table)
    {
        table.Origin = TableOrigin.Inline;
        table.SealChildren(SealIfOpen);
    }

    private static void SealIfOpen(TomlTable child)
    {
        if (child.Origin != TableOrigin.Inline)
        {
            Seal(child);
        }
    }
}
