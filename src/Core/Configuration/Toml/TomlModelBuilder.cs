using System.Diagnostics.CodeAnalysis;
using Tomlyn.Syntax;

namespace Mesh.Core.Configuration.Toml;

/// <summary>
/// Turns Tomlyn's validated syntax tree into nested <see cref="TomlTableNode"/>s: headers, dotted keys and arrays of
/// tables merged the way TOML defines, each key and value with its position. It applies TOML's rules for defining a
/// table or key once itself, because Tomlyn 2.11.1's validator misses some redefinitions (docs/conformance.md).
/// </summary>
internal static class TomlModelBuilder
{
    public static bool TryBuild(DocumentSyntax document, [NotNullWhen(true)] out TomlTableNode? root, [NotNullWhen(false)] out TomlError? error)
    {
        var documentRoot = new TomlTableNode(new TomlPosition(1, 1), TomlTableOrigin.Implicit);
        try
        {
            foreach (var keyValue in document.KeyValues)
                AddKeyValue(documentRoot, keyValue);
            foreach (var table in document.Tables)
                AddTable(documentRoot, table);
        }
        catch (TomlModelException ex)
        {
            root = null;
            error = ex.Error;
            return false;
        }

        root = documentRoot;
        error = null;
        return true;
    }

    private static void AddTable(TomlTableNode root, TableSyntaxBase header)
    {
        var segments = Segments(header.Name!);
        var headerPosition = TomlPosition.From(header.Span.Start);
        var parent = root;
        foreach (var (name, position) in segments.SkipLast(1))
            parent = HeaderParent(parent, name, position, headerPosition);

        var (lastName, lastPosition) = segments[^1];
        var table = header is TableArraySyntax
            ? AppendArrayTable(parent, lastName, lastPosition, headerPosition)
            : DefineTable(parent, lastName, lastPosition, headerPosition);
        foreach (var keyValue in header.Items)
            AddKeyValue(table, keyValue);
    }

    // "a" and "b" of [a.b.c]: created when new; an array of tables stands for its last element; an inline table is closed.
    private static TomlTableNode HeaderParent(TomlTableNode parent, string name, TomlPosition keyPosition, TomlPosition headerPosition)
    {
        if (!parent.TryGet(name, out var entry))
            return AddTable(parent, name, keyPosition, headerPosition, TomlTableOrigin.Implicit);

        return entry.Value switch
        {
            TomlTableNode { IsInline: false } table => table,
            TomlArrayNode { IsArrayOfTables: true } array => (TomlTableNode)array.Items[^1],
            _ => throw Redefined(keyPosition, entry),
        };
    }

    // [a.b] may define "b" once, unless "b" so far only existed as the way to a deeper header.
    private static TomlTableNode DefineTable(TomlTableNode parent, string name, TomlPosition keyPosition, TomlPosition headerPosition)
    {
        if (!parent.TryGet(name, out var entry))
            return AddTable(parent, name, keyPosition, headerPosition, TomlTableOrigin.Header);
        if (entry.Value is not TomlTableNode { Origin: TomlTableOrigin.Implicit } existing)
            throw Redefined(keyPosition, entry);

        existing.Origin = TomlTableOrigin.Header;
        existing.Position = headerPosition;
        parent.Replace(entry with { KeyPosition = keyPosition });
        return existing;
    }

    private static TomlTableNode AppendArrayTable(TomlTableNode parent, string name, TomlPosition keyPosition, TomlPosition headerPosition)
    {
        TomlArrayNode array;
        if (!parent.TryGet(name, out var entry))
        {
            array = new TomlArrayNode(headerPosition, isArrayOfTables: true);
            parent.Add(new TomlEntry(name, keyPosition, array));
        }
        else
        {
            array = entry.Value as TomlArrayNode is { IsArrayOfTables: true } existing ? existing : throw Redefined(keyPosition, entry);
        }

        var table = new TomlTableNode(headerPosition, TomlTableOrigin.Header);
        array.Items.Add(table);
        return table;
    }

    private static void AddKeyValue(TomlTableNode table, KeyValueSyntax keyValue)
    {
        var segments = Segments(keyValue.Key!);
        foreach (var (name, position) in segments.SkipLast(1))
            table = DottedKeyTable(table, name, position);

        var (lastName, lastPosition) = segments[^1];
        if (table.TryGet(lastName, out var existing))
            throw Redefined(lastPosition, existing);
        table.Add(new TomlEntry(lastName, lastPosition, Convert(keyValue.Value!)));
    }

    // "a" and "b" of a.b.c = 1: a dotted key may only add to tables that dotted keys made.
    private static TomlTableNode DottedKeyTable(TomlTableNode parent, string name, TomlPosition keyPosition)
    {
        if (!parent.TryGet(name, out var entry))
            return AddTable(parent, name, keyPosition, keyPosition, TomlTableOrigin.DottedKeys);
        return entry.Value as TomlTableNode is { Origin: TomlTableOrigin.DottedKeys } table ? table : throw Redefined(keyPosition, entry);
    }

    private static TomlTableNode AddTable(TomlTableNode parent, string name, TomlPosition keyPosition, TomlPosition tablePosition, TomlTableOrigin origin)
    {
        var table = new TomlTableNode(tablePosition, origin);
        parent.Add(new TomlEntry(name, keyPosition, table));
        return table;
    }

    private static TomlNode Convert(ValueSyntax value)
    {
        var position = TomlPosition.From(value.Span.Start);
        switch (value)
        {
            case ArraySyntax array:
                var items = new TomlArrayNode(position, isArrayOfTables: false);
                foreach (var item in array.Items)
                    items.Items.Add(Convert(item.Value!));
                return items;
            case InlineTableSyntax inline:
                var table = new TomlTableNode(position, TomlTableOrigin.Inline);
                foreach (var item in inline.Items)
                    AddKeyValue(table, item.KeyValue!);
                return table;
            case StringValueSyntax text:
                return new TomlValueNode(position, text.Value!);
            case IntegerValueSyntax integer:
                return new TomlValueNode(position, CheckedInteger(integer, position));
            case FloatValueSyntax number:
                return new TomlValueNode(position, number.Value);
            case BooleanValueSyntax boolean:
                return new TomlValueNode(position, boolean.Value);
            case DateTimeValueSyntax dateTime:
                return new TomlValueNode(position, dateTime.Value);
            default:
                throw new TomlModelException(new TomlError(position, $"unexpected TOML value {value.Kind}"));
        }
    }

    // Tomlyn reads 0x/0b integers of up to 64 bits into a long, so 0x8000000000000000 and above wrap to a negative
    // number. TOML integers are signed 64-bit and a hex/octal/binary literal has no sign: negative means out of range.
    private static long CheckedInteger(IntegerValueSyntax integer, TomlPosition position)
    {
        var text = integer.Token?.Text ?? string.Empty;
        var isPrefixed = text.Length > 2 && text[0] == '0' && text[1] is 'x' or 'o' or 'b';
        if (isPrefixed && integer.Value < 0)
            throw new TomlModelException(new TomlError(position, $"integer {text} is out of range for a 64-bit signed integer (at most 0x7FFFFFFFFFFFFFFF)"));
        return integer.Value;
    }

    private static List<(string Name, TomlPosition Position)> Segments(KeySyntax key)
    {
        var segments = new List<(string, TomlPosition)> { Segment(key.Key!) };
        foreach (var dotted in key.DotKeys)
            segments.Add(Segment(dotted.Key!));
        return segments;
    }

    private static (string Name, TomlPosition Position) Segment(BareKeyOrStringValueSyntax key)
    {
        var name = key switch
        {
            BareKeySyntax bare => bare.Key!.Text!,
            StringValueSyntax quoted => quoted.Value!,
            _ => throw new InvalidOperationException($"unexpected key syntax {key.Kind}"),
        };
        return (name, TomlPosition.From(key.Span.Start));
    }

    private static TomlModelException Redefined(TomlPosition position, TomlEntry existing) =>
        new(new TomlError(position, $"The key `{existing.Name}` is already defined at {existing.KeyPosition} and cannot be redefined"));

    private sealed class TomlModelException(TomlError error) : Exception(error.Message)
    {
        public TomlError Error { get; } = error;
    }
}
