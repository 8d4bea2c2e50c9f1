using System.Globalization;
using System.Text;

namespace Mesh.Toml.Parsing;

/// <summary>The four string kinds.</summary>
internal sealed partial class Parser
{
    private string ParseBasicString()
    {
        var open = _pos;
        _pos++;
        var runStart = _pos;
        StringBuilder? sb = null;
        while (true)
        {
            if (AtEnd)
            {
                throw Error(open, "unterminated string: missing closing '\"'");
            }

            var c = _text[_pos];
            if (c == '"')
            {
                string result;
                if (sb is null)
                {
                    result = _text.Substring(runStart, _pos - runStart);
                }
                else
                {
                    sb.Append(_text, runStart, _pos - runStart);
                    result = sb.ToString();
                }

                _pos++;
                return result;
            }

            if (c == '\\')
            {
                sb ??= _buffer.Clear();
                sb.Append(_text, runStart, _pos - runStart);
                ParseEscape(sb, multiline: false);
                runStart = _pos;
                continue;
            }

            if (c == '\n' || (c == '\r' && Peek(1) == '\n'))
            {
                throw Error(_pos, "unterminated string: a basic string cannot span lines (use \"\"\" for a multi-line string)");
            }

            if (IsControl(c))
            {
                throw Error(_pos, $"{Describe(c)} is not allowed in a string; use an escape sequence");
            }

            _pos++;
        }
    }

    private string ParseMultilineBasicString()
    {
        var open = _pos;
        _pos += 3;
        SkipNewlineAfterDelimiter();
        var sb = _buffer.Clear();
        var runStart = _pos;
        while (true)
        {
            if (AtEnd)
            {
                throw Error(open, "unterminated multi-line string: missing closing '\"\"\"'");
            }

            var c = _text[_pos];
            if (c == '"')
            {
                var quotes = CountRun('"');
                if (quotes >= 3)
                {
                    if (quotes > 5)
                    {
                        throw Error(_pos + 5, "too many quotes at the end of a multi-line string (at most two may precede the closing '\"\"\"')");
                    }

                    sb.Append(_text, runStart, _pos - runStart + quotes - 3);
                    _pos += quotes;
                    return sb.ToString();
                }

                _pos += quotes;
                continue;
            }

            if (c == '\\')
            {
                sb.Append(_text, runStart, _pos - runStart);
                ParseEscape(sb, multiline: true);
                runStart = _pos;
                continue;
            }

            CheckMultilineChar(c);
            if (c == '\r')
            {
                // A written CRLF is a newline; values use '\n' whatever the file's line endings.
                sb.Append(_text, runStart, _pos - runStart);
                _pos++;
                runStart = _pos;
                continue;
            }

            _pos++;
        }
    }

    private string ParseLiteralString()
    {
        var open = _pos;
        _pos++;
        var start = _pos;
        while (true)
        {
            if (AtEnd)
            {
                throw Error(open, "unterminated literal string: missing closing \"'\"");
            }

            var c = _text[_pos];
            if (c == '\'')
            {
                var result = _text.Substring(start, _pos - start);
                _pos++;
                return result;
            }

            if (c == '\n' || (c == '\r' && Peek(1) == '\n'))
            {
                throw Error(_pos, "unterminated literal string: a literal string cannot span lines (use ''' for a multi-line string)");
            }

            if (IsControl(c))
            {
                throw Error(_pos, $"{Describe(c)} is not allowed in a literal string");
            }

            _pos++;
        }
    }

    private string ParseMultilineLiteralString()
    {
        var open = _pos;
        _pos += 3;
        SkipNewlineAfterDelimiter();
        var runStart = _pos;
        StringBuilder? sb = null;
        while (true)
        {
            if (AtEnd)
            {
                throw Error(open, "unterminated multi-line literal string: missing closing \"'''\"");
            }

            var c = _text[_pos];
            if (c == '\'')
            {
                var quotes = CountRun('\'');
                if (quotes >= 3)
                {
                    if (quotes > 5)
                    {
                        throw Error(_pos + 5, "too many quotes at the end of a multi-line literal string (at most two may precede the closing \"'''\")");
                    }

                    var length = _pos - runStart + quotes - 3;
                    var result = sb is null ? _text.Substring(runStart, length) : sb.Append(_text, runStart, length).ToString();
                    _pos += quotes;
                    return result;
                }

                _pos += quotes;
                continue;
            }

            CheckMultilineChar(c);
            if (c == '\r')
            {
                sb ??= _buffer.Clear();
                sb.Append(_text, runStart, _pos - runStart);
                _pos++;
                runStart = _pos;
                continue;
            }

            _pos++;
        }
    }

    private void SkipNewlineAfterDelimiter()
    {
        if (Peek() == '\n' && !AtEnd)
        {
            _pos++;
        }
        else if (Peek() == '\r' && Peek(1) == '\n')
        {
            _pos += 2;
        }
    }

    private void CheckMultilineChar(char c)
    {
        if (c == '\r')
        {
            if (Peek(1) != '\n')
            {
                throw Error(_pos, "carriage return (U+000D) must be followed by a line feed");
            }
        }
        else if (c != '\n' && IsControl(c))
        {
            throw Error(_pos, $"{Describe(c)} is not allowed in a string; use an escape sequence");
        }
    }

    private int CountRun(char quote)
    {
        var end = _pos;
        while (end < _text.Length && _text[end] == quote)
        {
            end++;
        }

        return end - _pos;
    }

    /// <summary>Parses the escape at <c>_pos</c> (a backslash) into <paramref name="sb"/>.</summary>
    private void ParseEscape(StringBuilder sb, bool multiline)
    {
        var start = _pos;
        _pos++;
        if (AtEnd)
        {
            throw Error(start, "unterminated escape sequence at end of input");
        }

        var c = _text[_pos];
        switch (c)
        {
            case 'b': sb.Append('\b'); _pos++; return;
            case 't': sb.Append('\t'); _pos++; return;
            case 'n': sb.Append('\n'); _pos++; return;
            case 'f': sb.Append('\f'); _pos++; return;
            case 'r': sb.Append('\r'); _pos++; return;
            case '"': sb.Append('"'); _pos++; return;
            case '\\': sb.Append('\\'); _pos++; return;
            case 'u': _pos++; AppendUnicodeEscape(sb, start, 4); return;
            case 'U': _pos++; AppendUnicodeEscape(sb, start, 8); return;
        }

        if (multiline && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
        {
            // Line-ending backslash: only whitespace may follow it on its line; then all whitespace and newlines are trimmed.
            SkipWhitespace();
            if (Peek() == '\n' && !AtEnd)
            {
                _pos++;
            }
            else if (Peek() == '\r' && Peek(1) == '\n')
            {
                _pos += 2;
            }
            else
            {
                throw Error(start, "invalid escape: a line-ending backslash must be followed only by whitespace up to the end of the line");
            }

            while (!AtEnd)
            {
                var w = _text[_pos];
                if (w == ' ' || w == '\t' || w == '\n')
                {
                    _pos++;
                }
                else if (w == '\r' && Peek(1) == '\n')
                {
                    _pos += 2;
                }
                else
                {
                    break;
                }
            }

            return;
        }

        var shown = AtEnd || c == '\n' || IsControl(c) ? Describe(c) : $"\\{c}";
        throw Error(start, $"invalid escape sequence '{shown}'; valid escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX");
    }

    private void AppendUnicodeEscape(StringBuilder sb, int start, int digits)
    {
        var letter = digits == 4 ? 'u' : 'U';
        var value = 0;
        for (var i = 0; i < digits; i++)
        {
            var d = Peek();
            if (AtEnd || !char.IsAsciiHexDigit(d))
            {
                throw Error(start, $"invalid unicode escape: \\{letter} needs exactly {digits} hexadecimal digits");
            }

            value = (value << 4) | HexValue(d);
            _pos++;
        }

        if ((uint)value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        {
            var text = _text.AsSpan(start, _pos - start).ToString();
            throw Error(start, $"invalid unicode escape '{text}': U+{value.ToString("X4", CultureInfo.InvariantCulture)} is not a Unicode scalar value");
        }

        if (value < 0x10000)
        {
            sb.Append((char)value);
        }
        else
        {
            sb.Append(char.ConvertFromUtf32(value));
        }
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
