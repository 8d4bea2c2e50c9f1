using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Mesh.Toml.Parsing;

/// <summary>A hand-written, single-pass TOML 1.0 reader. Stops at the first error.</summary>
internal sealed partial class Parser
{
    private const char Eof = '\0';

    private readonly string _text;
    private readonly string? _path;
    private readonly LineMap _lines;
    private readonly TomlTable _root;
    private readonly StringBuilder _buffer = new();
    private TomlTable _current;
    private int _pos;

    public Parser(string text, string? path)
    {
        _text = text;
        _path = path;
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            _pos = 1;
        }

        _lines = new LineMap(text, _pos);
        _root = new TomlTable(TableOrigin.Root, _lines.Span(_pos, _pos));
        _current = _root;
    }

    public bool TryParse([NotNullWhen(true)] out TomlTable? root, out IReadOnlyList<TomlDiagnostic> diagnostics)
    {
        try
        {
            CheckSurrogates();
            ParseDocument();
            root = _root;
            diagnostics = [];
            return true;
        }
        catch (TomlSyntaxException ex)
        {
            root = null;
            diagnostics = [new TomlDiagnostic(_path, _lines.Span(ex.Start, Math.Max(ex.Start, ex.End)), ex.Message)];
            return false;
        }
    }

    private void ParseDocument()
    {
        while (true)
        {
            SkipWhitespace();
            var c = Peek();
            if (AtEnd)
            {
                return;
            }

            switch (c)
            {
                case '#':
                    SkipComment();
                    ExpectLineEnd("a comment");
                    break;
                case '\n':
                    _pos++;
                    break;
                case '\r':
                    ExpectLineEnd("whitespace");
                    break;
                case '[':
                    ParseHeader();
                    break;
                default:
                    ParseKeyValue();
                    break;
            }
        }
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Peek() => _pos < _text.Length ? _text[_pos] : Eof;

    private char Peek(int ahead) => _pos + ahead < _text.Length ? _text[_pos + ahead] : Eof;

    private void SkipWhitespace()
    {
        while (_pos < _text.Length && (_text[_pos] == ' ' || _text[_pos] == '\t'))
        {
            _pos++;
        }
    }

    /// <summary>Skips whitespace, comments and newlines (inside arrays).</summary>
    private void SkipWhitespaceCommentsAndNewlines()
    {
        while (true)
        {
            SkipWhitespace();
            var c = Peek();
            if (c == '\n' && !AtEnd)
            {
                _pos++;
            }
            else if (c == '\r' && Peek(1) == '\n')
            {
                _pos += 2;
            }
            else if (c == '#')
            {
                SkipComment();
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Skips a comment up to (not including) its line end, checking for control characters.</summary>
    private void SkipComment()
    {
        _pos++;
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '\n' || (c == '\r' && Peek(1) == '\n'))
            {
                return;
            }

            if (IsControl(c))
            {
                throw Error(_pos, $"{Describe(c)} is not allowed in a comment");
            }

            _pos++;
        }
    }

    /// <summary>After a key/value pair or header: optional whitespace and comment, then a newline or the end.</summary>
    private void ExpectLineEnd(string after)
    {
        SkipWhitespace();
        if (Peek() == '#')
        {
            SkipComment();
        }

        if (AtEnd)
        {
            return;
        }

        var c = _text[_pos];
        if (c == '\n')
        {
            _pos++;
            return;
        }

        if (c == '\r' && Peek(1) == '\n')
        {
            _pos += 2;
            return;
        }

        if (c == '\r')
        {
            throw Error(_pos, "carriage return (U+000D) must be followed by a line feed");
        }

        throw Error(_pos, $"unexpected {Describe(c)} after {after}; expected a newline or a comment");
    }

    private void CheckSurrogates()
    {
        var span = _text.AsSpan();
        var offset = 0;
        while (true)
        {
            var next = span[offset..].IndexOfAnyInRange('\uD800', '\uDFFF');
            if (next < 0)
            {
                return;
            }

            offset += next;
            if (char.IsHighSurrogate(span[offset]) && offset + 1 < span.Length && char.IsLowSurrogate(span[offset + 1]))
            {
                offset += 2;
                continue;
            }

            throw Error(offset, $"unpaired surrogate U+{(int)span[offset]:X4} (the document must be valid Unicode)");
        }
    }

    /// <summary>Control characters TOML forbids outside of specific places: U+0000–U+001F except tab, and U+007F.</summary>
    private static bool IsControl(char c) => (c < 0x20 && c != '\t') || c == '\x7F';

    private static bool IsBareKeyChar(char c) =>
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';

    private static string Describe(char c) => c switch
    {
        '\n' => "newline",
        '\t' => "tab",
        _ when c < 0x20 || c == '\x7F' => $"control character U+{(int)c:X4}",
        _ when c > '\x7E' && (char.IsSurrogate(c) || char.IsWhiteSpace(c) || char.IsControl(c) || c == '\uFEFF') => $"character U+{(int)c:X4}",
        _ when c > '\x7E' => $"character '{c}' (U+{(int)c:X4})",
        '\'' => "character \"'\"",
        _ => $"character '{c}'",
    };

    private string DescribeAt(int offset)
    {
        if (offset >= _text.Length)
        {
            return "end of input";
        }

        var c = _text[offset];
        if (c == '\r' && offset + 1 < _text.Length && _text[offset + 1] == '\n')
        {
            return "newline";
        }

        if (char.IsHighSurrogate(c) && offset + 1 < _text.Length)
        {
            return $"character '{_text.Substring(offset, 2)}'";
        }

        return Describe(c);
    }

    private TomlSyntaxException Error(int offset, string message) => new(offset, offset, message);

    private TomlSpan SpanOf(int start, int end) => _lines.Span(start, end);
}
