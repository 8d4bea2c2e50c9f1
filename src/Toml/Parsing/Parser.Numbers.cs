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
            throw new TomlSyntaxException(start, end, $"invalid value '{token}'; infinity and not-a-number are written 'inf' and 'nan' (optionally signed)");
        }

        if (body.Length >= 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o' || body[1] == 'b'))
        {
            if (signed)
            {
                throw Error(start, $"invalid integer '{token}': a sign is not allowed with a 0{body[1]} prefix");
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
        var token = _text.AsSpan(start, end - start).ToString();
        CheckDigits(bodyStart, end, token, "integer", allowLeadingZero: false);
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
                throw OutOfRange(start, end, token);
            }

            magnitude = (magnitude * 10) + (ulong)(c - '0');
        }

        if (negative)
        {
            return magnitude <= 9223372036854775808UL ? (long)(0UL - magnitude) : throw OutOfRange(start, end, token);
        }

        return magnitude <= long.MaxValue ? (long)magnitude : throw OutOfRange(start, end, token);
    }

    private long ParseRadixInteger(int start, int end)
    {
        var token = _text.AsSpan(start, end - start).ToString();
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
            throw Error(start, $"invalid {name} integer '{token}': no digits after '0{prefix}'");
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
                    throw Error(i, $"invalid integer '{token}': an underscore must be between two digits");
                }

                previousDigit = false;
                continue;
            }

            var digit = char.IsAsciiHexDigit(c) ? HexValue(c) : int.MaxValue;
            if (digit >= radix)
            {
                throw Error(i, $"invalid {name} integer '{token}': unexpected {Describe(c)}");
            }

            if (value >> (64 - bits) != 0)
            {
                throw OutOfRange(start, end, token);
            }

            value = (value << bits) | (uint)digit;
            previousDigit = true;
        }

        return value <= long.MaxValue ? (long)value : throw OutOfRange(start, end, token);
    }

    private double ParseFloat(int start, int end, int bodyStart)
    {
        var token = _text.AsSpan(start, end - start).ToString();
        var exponent = _text.AsSpan(bodyStart, end - bodyStart).IndexOfAny('e', 'E');
        var exponentAt = exponent < 0 ? end : bodyStart + exponent;
        var dot = _text.AsSpan(bodyStart, exponentAt - bodyStart).IndexOf('.');
        var dotAt = dot < 0 ? exponentAt : bodyStart + dot;

        CheckDigits(bodyStart, dotAt, token, "float", allowLeadingZero: false);
        if (dot >= 0)
        {
            if (dotAt + 1 == exponentAt)
            {
                throw Error(dotAt, $"invalid float '{token}': a decimal point must be followed by digits");
            }

            CheckDigits(dotAt + 1, exponentAt, token, "float", allowLeadingZero: true);
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
                throw Error(exponentAt, $"invalid float '{token}': the exponent has no digits");
            }

            CheckDigits(digits, end, token, "float", allowLeadingZero: true);
        }

        var text = token.Replace("_", string.Empty, StringComparison.Ordinal);
        return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>Checks <c>[from, to)</c> is digits with single underscores between digits.</summary>
    private void CheckDigits(int from, int to, string token, string kind, bool allowLeadingZero)
    {
        if (from == to)
        {
            var at = Math.Min(from, _text.Length);
            throw Error(at, $"invalid {kind} '{token}': expected a digit but found {DescribeAt(at)}");
        }

        for (var i = from; i < to; i++)
        {
            var c = _text[i];
            if (c == '_')
            {
                if (i == from || i + 1 >= to || !char.IsAsciiDigit(_text[i + 1]) || !char.IsAsciiDigit(_text[i - 1]))
                {
                    throw Error(i, $"invalid {kind} '{token}': an underscore must be between two digits");
                }

                continue;
            }

            if (!char.IsAsciiDigit(c))
            {
                throw Error(i, $"invalid {kind} '{token}': unexpected {Describe(c)}");
            }
        }

        if (!allowLeadingZero && _text[from] == '0' && to - from > 1)
        {
            throw Error(from, $"invalid {kind} '{token}': leading zeros are not allowed");
        }
    }

    private TomlSyntaxException OutOfRange(int start, int end, string token) =>
        new(start, end, $"integer '{token}' is out of range for a 64-bit signed integer");
}
