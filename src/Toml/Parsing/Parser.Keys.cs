using System.Text;

namespace Mesh.Toml.Parsing;

internal sealed partial class Parser
{
    /// <summary>One segment of a (possibly dotted) key, with its offsets in the text.</summary>
    private readonly record struct KeyPart(string Name, int Start, int End);

    /// <summary>Parses <c>simple-key *( ws '.' ws simple-key )</c>; stops before the whitespace after the last part.</summary>
    /// <summary>Lists for key parts, reused: a list is only live while its key/value pair (or header) is parsed.</summary>
    private readonly Stack<List<KeyPart>> _partLists = new();

    private void ReturnKey(List<KeyPart> parts)
    {
        parts.Clear();
        _partLists.Push(parts);
    }

    private List<KeyPart> ParseKey(string context)
    {
        var parts = _partLists.Count > 0 ? _partLists.Pop() : new List<KeyPart>(4);
        while (true)
        {
            parts.Add(ParseSimpleKey(context));
            var save = _pos;
            SkipWhitespace();
            if (Peek() == '.' && !AtEnd)
            {
                _pos++;
                SkipWhitespace();
                continue;
            }

            _pos = save;
            return parts;
        }
    }

    private KeyPart ParseSimpleKey(string context)
    {
        var start = _pos;
        var c = Peek();
        if (AtEnd)
        {
            throw Error(start, $"unexpected end of input; expected {context}");
        }

        if (c == '"')
        {
            if (Peek(1) == '"' && Peek(2) == '"')
            {
                throw Error(start, "a multi-line string cannot be used as a key");
            }

            var name = ParseBasicString();
            return new KeyPart(name, start, _pos);
        }

        if (c == '\'')
        {
            if (Peek(1) == '\'' && Peek(2) == '\'')
            {
                throw Error(start, "a multi-line string cannot be used as a key");
            }

            var name = ParseLiteralString();
            return new KeyPart(name, start, _pos);
        }

        while (_pos < _text.Length && IsBareKeyChar(_text[_pos]))
        {
            _pos++;
        }

        if (_pos == start)
        {
            if (c == '=')
            {
                throw Error(start, $"missing key before '='; expected {context}");
            }

            throw Error(start, $"unexpected {DescribeAt(start)}; expected {context}");
        }

        return new KeyPart(_text.Substring(start, _pos - start), start, _pos);
    }

    private static string FormatKey(List<KeyPart> parts, int count)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                sb.Append('.');
            }

            AppendKey(sb, parts[i].Name);
        }

        return sb.ToString();
    }

    private static void AppendKey(StringBuilder sb, string name)
    {
        var bare = name.Length > 0;
        foreach (var ch in name)
        {
            if (!IsBareKeyChar(ch))
            {
                bare = false;
                break;
            }
        }

        if (bare)
        {
            sb.Append(name);
            return;
        }

        sb.Append('"');
        foreach (var ch in name)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (ch < 0x20 || ch == 0x7F)
                    {
                        sb.Append("\\u").Append(((int)ch).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(ch);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
