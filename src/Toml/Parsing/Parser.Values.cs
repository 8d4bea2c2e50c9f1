namespace Mesh.Toml.Parsing;

internal sealed partial class Parser
{
    /// <summary>Bounds recursion so a hostile document cannot overflow the stack.</summary>
    internal const int MaxDepth = 128;

    private int _depth;

    /// <summary>Parses one value. <paramref name="owner"/> names what the value belongs to, for messages.</summary>
    private TomlNode ParseValue(Owner owner)
    {
        var start = _pos;
        if (AtEnd)
        {
            throw Error(start, $"missing value for {owner}");
        }

        var c = _text[_pos];
        switch (c)
        {
            case '"':
            {
                var value = Peek(1) == '"' && Peek(2) == '"' ? ParseMultilineBasicString() : ParseBasicString();
                return new TomlString(value, SpanOf(start, _pos));
            }

            case '\'':
            {
                var value = Peek(1) == '\'' && Peek(2) == '\'' ? ParseMultilineLiteralString() : ParseLiteralString();
                return new TomlString(value, SpanOf(start, _pos));
            }

            case '[':
            case '{':
                if (++_depth > MaxDepth)
                {
                    throw Error(start, $"arrays and inline tables are nested more than {MaxDepth} deep");
                }

                TomlNode nested = c == '[' ? ParseArray(owner) : ParseInlineTable(owner);
                _depth--;
                return nested;
            case '\n':
            case '#':
                throw Error(start, $"missing value for {owner}");
            case '\r' when Peek(1) == '\n':
                throw Error(start, $"missing value for {owner}");
        }

        var end = ScanToken();
        if (end == start)
        {
            throw Error(start, $"unexpected {DescribeAt(start)}; expected a value for {owner}");
        }

        return ParseScalar(start, end);
    }

    /// <summary>Finds the end of a bare value (number, boolean, date-time) without consuming it.</summary>
    private int ScanToken()
    {
        var end = _pos;
        while (end < _text.Length && IsTokenChar(_text[end]))
        {
            end++;
        }

        // A date followed by a space and a time is one value: 1979-05-27 07:32:00.
        if (end - _pos == 10 && _text[_pos + 4] == '-' && _text[_pos + 7] == '-'
            && end + 1 < _text.Length && _text[end] == ' ' && char.IsAsciiDigit(_text[end + 1]))
        {
            end++;
            while (end < _text.Length && IsTokenChar(_text[end]))
            {
                end++;
            }
        }

        return end;
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-' || c == '+' || c == '.' || c == ':';

    private TomlNode ParseScalar(int start, int end)
    {
        var token = _text.AsSpan(start, end - start);
        _pos = end;
        var span = SpanOf(start, end);
        if (token.SequenceEqual("true"))
        {
            return new TomlBoolean(true, span);
        }

        if (token.SequenceEqual("false"))
        {
            return new TomlBoolean(false, span);
        }

        if (token.Length >= 5 && char.IsAsciiDigit(token[0]) && char.IsAsciiDigit(token[1]) && char.IsAsciiDigit(token[2]) && char.IsAsciiDigit(token[3]) && token[4] == '-')
        {
            return ParseDateTime(start, end);
        }

        if (token.Length >= 3 && char.IsAsciiDigit(token[0]) && char.IsAsciiDigit(token[1]) && token[2] == ':')
        {
            return ParseLocalTime(start, end);
        }

        var first = token[0];
        if (char.IsAsciiDigit(first))
        {
            var digits = token.IndexOfAnyExceptInRange('0', '9');
            if (digits > 0 && token[digits] == '-' && digits != 4)
            {
                throw new TomlSyntaxException(start, end, $"invalid date '{token}': the year needs exactly 4 digits (YYYY-MM-DD)");
            }

            if (digits > 0 && token[digits] == ':' && digits != 2)
            {
                throw new TomlSyntaxException(start, end, $"invalid time '{token}': the hour needs exactly 2 digits (HH:MM:SS)");
            }
        }

        if (char.IsAsciiDigit(first) || first == '+' || first == '-' || first == '.' || first == 'i' || first == 'n')
        {
            return ParseNumber(start, end);
        }

        if (token.Length <= 5 && ("true".AsSpan().StartsWith(token) || "false".AsSpan().StartsWith(token)))
        {
            throw new TomlSyntaxException(start, end, $"invalid value '{token}'; did you mean '{(first == 't' ? "true" : "false")}'?");
        }

        if (token.Equals("true", StringComparison.OrdinalIgnoreCase) || token.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            throw new TomlSyntaxException(start, end, $"invalid value '{token}'; booleans are lower case: '{token.ToString().ToLowerInvariant()}'");
        }

        throw new TomlSyntaxException(start, end, $"invalid value '{token}'; strings must be quoted");
    }

    private TomlArray ParseArray(Owner owner)
    {
        var start = _pos;
        _pos++;
        var items = new List<TomlNode>();
        while (true)
        {
            SkipWhitespaceCommentsAndNewlines();
            if (AtEnd)
            {
                throw Error(start, $"unterminated array for {owner}: missing ']'");
            }

            if (Peek() == ']')
            {
                _pos++;
                return new TomlArray(isArrayOfTables: false, SpanOf(start, _pos), items);
            }

            if (Peek() == ',')
            {
                throw Error(_pos, $"unexpected ',' in array for {owner}; expected a value or ']'");
            }

            items.Add(ParseValue(owner with { Element = true }));
            SkipWhitespaceCommentsAndNewlines();
            if (AtEnd)
            {
                throw Error(start, $"unterminated array for {owner}: missing ']'");
            }

            var c = Peek();
            if (c == ',')
            {
                _pos++;
            }
            else if (c != ']')
            {
                throw Error(_pos, $"unexpected {DescribeAt(_pos)} in array for {owner}; expected ',' or ']'");
            }
        }
    }

    private TomlTable ParseInlineTable(Owner owner)
    {
        var start = _pos;
        _pos++;
        var table = new TomlTable(TableOrigin.Dotted, SpanOf(start, start + 1));
        SkipWhitespace();
        if (Peek() == '}' && !AtEnd)
        {
            _pos++;
            return Close(table, start);
        }

        while (true)
        {
            SkipWhitespace();
            CheckInlineBreak(start, owner);
            if (Peek() == '}' && !AtEnd)
            {
                throw Error(_pos, $"trailing comma is not allowed in inline table for {owner}");
            }

            var parts = ParseKey("a key in inline table");
            SkipWhitespace();
            if (Peek() != '=' || AtEnd)
            {
                CheckInlineBreak(start, owner);
                throw Error(_pos, $"expected '=' after key '{FormatKey(parts, parts.Count)}'");
            }

            _pos++;
            SkipWhitespace();
            CheckInlineBreak(start, owner);
            var (target, last) = ResolveDottedKey(table, parts);
            var value = ParseValue(new Owner(parts, Element: false));
            target.Add(last.Name, value, SpanOf(last.Start, last.End));
            ReturnKey(parts);
            SkipWhitespace();
            CheckInlineBreak(start, owner);
            var c = Peek();
            if (c == '}')
            {
                _pos++;
                return Close(table, start);
            }

            if (c != ',')
            {
                throw Error(_pos, $"unexpected {DescribeAt(_pos)} in inline table for {owner}; expected ',' or '}}'");
            }

            _pos++;
        }
    }

    private TomlTable Close(TomlTable table, int start)
    {
        table.SetSpan(SpanOf(start, _pos));
        Seal(table);
        return table;
    }

    /// <summary>TOML 1.0 inline tables live on one line: no newline, no comment, and they must be closed.</summary>
    private void CheckInlineBreak(int start, Owner owner)
    {
        if (AtEnd)
        {
            throw Error(start, $"unterminated inline table for {owner}: missing '}}'");
        }

        var c = _text[_pos];
        if (c == '\n' || (c == '\r' && Peek(1) == '\n'))
        {
            throw Error(_pos, $"newline in inline table for {owner}; inline tables must be on one line (TOML 1.0)");
        }

        if (c == '#')
        {
            throw Error(_pos, $"comment in inline table for {owner}; inline tables must be on one line (TOML 1.0)");
        }
    }

    /// <summary>What a value belongs to, formatted only when a message needs it.</summary>
    private readonly record struct Owner(List<KeyPart> Key, bool Element)
    {
        public override string ToString() =>
            Element ? $"an element of the array for key '{FormatKey(Key, Key.Count)}'" : $"key '{FormatKey(Key, Key.Count)}'";
    }
}
