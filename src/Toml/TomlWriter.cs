using System.Globalization;
using System.Text;

namespace Mesh.Toml;

/// <summary>
/// Writes a <see cref="TomlTable"/> as TOML 1.0 text that parses back to the same values. Layout is normalized:
/// key/value pairs first, then <c>[table]</c> and <c>[[array]]</c> sections; inline tables stay inline; comments
/// and original formatting are not kept.
/// </summary>
public static class TomlWriter
{
    public static string Write(TomlTable root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var sb = new StringBuilder();
        WriteTableBody(sb, root, []);
        return sb.ToString();
    }

    private static void WriteTableBody(StringBuilder sb, TomlTable table, List<string> path)
    {
        foreach (var (key, value) in table)
        {
            if (IsSection(value))
            {
                continue;
            }

            AppendKey(sb, key);
            sb.Append(" = ");
            AppendValue(sb, value);
            sb.Append('\n');
        }

        foreach (var (key, value) in table)
        {
            if (!IsSection(value))
            {
                continue;
            }

            path.Add(key);
            if (value is TomlTable child)
            {
                var hasValues = child.Values.Any(v => !IsSection(v));
                if (hasValues || child.Count == 0)
                {
                    if (sb.Length > 0)
                    {
                        sb.Append('\n');
                    }

                    sb.Append('[');
                    AppendPath(sb, path);
                    sb.Append("]\n");
                }

                WriteTableBody(sb, child, path);
            }
            else
            {
                foreach (var element in (TomlArray)value)
                {
                    if (sb.Length > 0)
                    {
                        sb.Append('\n');
                    }

                    sb.Append("[[");
                    AppendPath(sb, path);
                    sb.Append("]]\n");
                    WriteTableBody(sb, (TomlTable)element, path);
                }
            }

            path.RemoveAt(path.Count - 1);
        }
    }

    /// <summary>Written as its own section rather than inline: a non-inline table or an array of tables.</summary>
    private static bool IsSection(TomlNode node) =>
        node is TomlTable { IsInline: false } || node is TomlArray { IsArrayOfTables: true, Count: > 0 };

    private static void AppendPath(StringBuilder sb, List<string> path)
    {
        for (var i = 0; i < path.Count; i++)
        {
            if (i > 0)
            {
                sb.Append('.');
            }

            AppendKey(sb, path[i]);
        }
    }

    private static void AppendValue(StringBuilder sb, TomlNode node)
    {
        switch (node)
        {
            case TomlString s:
                AppendString(sb, s.Value);
                break;
            case TomlInteger i:
                sb.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case TomlFloat f:
                sb.Append(FormatFloat(f.Value));
                break;
            case TomlBoolean b:
                sb.Append(b.Value ? "true" : "false");
                break;
            case TomlDateTime d:
                sb.Append(d.Text);
                break;
            case TomlArray array:
                sb.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    sb.Append(i == 0 ? " " : ", ");
                    AppendValue(sb, array[i]);
                }

                sb.Append(array.Count == 0 ? "]" : " ]");
                break;
            case TomlTable table:
                sb.Append('{');
                var first = true;
                foreach (var (key, value) in table)
                {
                    sb.Append(first ? " " : ", ");
                    first = false;
                    AppendKey(sb, key);
                    sb.Append(" = ");
                    AppendValue(sb, value);
                }

                sb.Append(first ? "}" : " }");
                break;
        }
    }

    private static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.AsSpan().IndexOfAny('.', 'E', 'e') >= 0 ? text : text + ".0";
    }

    private static void AppendKey(StringBuilder sb, string key)
    {
        var bare = key.Length > 0;
        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-'))
            {
                bare = false;
                break;
            }
        }

        if (bare)
        {
            sb.Append(key);
        }
        else
        {
            AppendString(sb, key);
        }
    }

    private static void AppendString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\t': sb.Append("\\t"); break;
                case '\n': sb.Append("\\n"); break;
                case '\f': sb.Append("\\f"); break;
                case '\r': sb.Append("\\r"); break;
                default:
                    if (c < 0x20 || c == 0x7F)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
