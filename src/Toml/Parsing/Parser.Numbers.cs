using System.Globalization;

namespace Mesh.Toml.Parsing;

/// <summary>Integers (decimal, hex, octal, binary) and floats.</summary>
internal sealed partial class Parser
{
    private TomlNode ParseNumber(int start, int end)
    {
        var token = _text.AsSpan(start, end - start);
        var span = SpanOf(start, end);
        var signed = token[0] == '+' || token[0] == '-';
        var body = signed ? token[1..] : token;
        var bodyStart = signed ? start + 1 : start;

        if (body.SequenceEqual("inf"))
        {
            return new TomlFloat(token[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity, span);
        }

        if (body.SequenceEqual("nan"))
        {
            return new TomlFloat(double.NaN, span);
        }

        if (body.Length > 0 && (body[0] == 'i' || body[0] == 'n'))
        {
            throw new TomlSyntaxException(start, end, $"invalid value '{Token(start, end)}'; infinity and not-a-number are written 'inf' and 'nan' (optionally signed)");
        }

        if (body.Length >= 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o' || body[1] == 'b'))
        {
            if (signed)
            {
                throw Error(start, $"invalid integer '{Token(start, end)}': a sign is not allowed with a 0{body[1]} prefix");
            }

            return new TomlInteger(ParseRadixInteger(start, end), span);
        }

        if (body.IndexOfAny('.', 'e', 'E') >= 0)
        {
            return new TomlFloat(ParseFloat(start, end, bodyStart), span);
        }

        return new TomlInteger(ParseDecimalInteger(start, end, bodyStart), span);
    }

    private long ParseDecimalInteger(int start, int end, int bodyStart)
    {
        CheckDigits(bodyStart, end, start, end, "integer", allowLeadingZero: false);
        var negative = _text[start] == '-';
        ulong magnitude = 0;
        for (var i = bodyStart; i < end; i++)
        {
            var c = _text[i];
            if (c == '_')
            {
                continue;
            }

            if (magnitude > (ulong.MaxValue - 9) / 10)
            {
                throw OutOfRange(start, end);
            }

            magnitude = (magnitude * 10) + (ulong)(c - '0');
        }

        if (negative)
        {
            return magnitude <= 9223372036854775808UL ? (long)(0UL - magnitude) : throw OutOfRange(start, end);
        }

        return magnitude <= long.MaxValue ? (long)magnitude : throw OutOfRange(start, end);
    }

    private long ParseRadixInteger(int start, int end)
    {
        var prefix = _text[start + 1];
        var (radix, bits, name) = prefix switch
        {
            'x' => (16, 4, "hexadecimal"),
            'o' => (8, 3, "octal"),
            _ => (2, 1, "binary"),
        };

        var digitsStart = start + 2;
        if (digitsStart == end)
        {
            throw Error(start, $"invalid {name} integer '{Token(start, end)}': no digits after '0{prefix}'");
        }

        ulong value = 0;
        var previousDigit = false;
        for (var i = digitsStart; i < end; i++)
        {
            var c = _text[i];
            if (c == '_')
            {
                if (!previousDigit || i + 1 >= end || _text[i + 1] == '_')
                {
                    throw Error(i, $"invalid integer '{Token(start, end)}': an underscore must be between two digits");
                }

                previousDigit = false;
                continue;
            }

            var digit = char.IsAsciiHexDigit(c) ? HexValue(c) : int.MaxValue;
            if (digit >= radix)
            {
                throw Error(i, $"invalid {name} integer '{Token(start, end)}': unexpected {Describe(c)}");
            }

            if (value >> (64 - bits) != 0)
            {
                throw OutOfRange(start, end);
            }

            value = (value << bits) | (uint)digit;
            previousDigit = true;
        }

        return value <= long.MaxValue ? (long)value : throw OutOfRange(start, end);
    }

    private double ParseFloat(int start, int end, int bodyStart)
    {
        var exponent = _text.AsSpan(bodyStart, end - bodyStart).IndexOfAny('e', 'E');
        var exponentAt = exponent < 0 ? end : bodyStart + exponent;
        var dot = _text.AsSpan(bodyStart, exponentAt - bodyStart).IndexOf('.');
        var dotAt = dot < 0 ? exponentAt : bodyStart + dot;

        CheckDigits(bodyStart, dotAt, start, end, "float", allowLeadingZero: false);
        if (dot >= 0)
        {
            if (dotAt + 1 == exponentAt)
            {
                throw Error(dotAt, $"invalid float '{Token(start, end)}': a decimal point must be followed by digits");
            }

            CheckDigits(dotAt + 1, exponentAt, start, end, "float", allowLeadingZero: true);
        }

        if (exponent >= 0)
        {
            var digits = exponentAt + 1;
            if (digits < end && (_text[digits] == '+' || _text[digits] == '-'))
            {
                digits++;
            }

            if (digits == end)
            {
                throw Error(exponentAt, $"invalid float '{Token(start, end)}': the exponent has no digits");
            }

            CheckDigits(digits, end, start, end, "float", allowLeadingZero: true);
        }

        var written = _text.AsSpan(start, end - start);
        if (written.IndexOf('_') < 0)
        {
            return double.Parse(written, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        Span<char> compact = written.Length <= 256 ? stackalloc char[written.Length] : new char[written.Length];
        var length = 0;
        foreach (var c in written)
        {
            if (c != '_')
            {
                compact[length++] = c;
            }
        }

        return double.Parse(compact[..length], NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>Checks <c>[from, to)</c> is digits with single underscores between digits.</summary>
    private void CheckDigits(int from, int to, int tokenStart, int tokenEnd, string kind, bool allowLeadingZero)
    {
        if (from == to)
        {
            var at = Math.Min(from, _text.Length);
            throw Error(at, $"invalid {kind} '{Token(tokenStart, tokenEnd)}': expected a digit but found {DescribeAt(at)}");
        }

        for (var i = from; i < to; i++)
        {
            var c = _text[i];
            if (c == '_')
            {
                if (i == from || i + 1 >= to || !char.IsAsciiDigit(_text[i + 1]) || !char.IsAsciiDigit(_text[i - 1]))
                {
                    throw Error(i, $"invalid {kind} '{Token(tokenStart, tokenEnd)}': an underscore must be between two digits");
                }

                continue;
            }

            if (!char.IsAsciiDigit(c))
            {
                throw Error(i, $"invalid {kind} '{Token(tokenStart, tokenEnd)}': unexpected {Describe(c)}");
            }
        }

        if (!allowLeadingZero && _text[from] == '0' && to - from > 1)
        {
            throw Error(from, $"invalid {kind} '{Token(tokenStart, tokenEnd)}': leading zeros are not allowed");
        }
    }

    private TomlSyntaxException OutOfRange(int start, int end) =>
        new(start, end, $"integer '{Token(start, end)}' is out of range for a 64-bit signed integer");
}
