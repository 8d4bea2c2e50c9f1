using System.Globalization;

namespace Mesh.Toml.Parsing;

/// <summary>Offset date-time, local date-time, local date and local time (RFC 3339 profile of TOML 1.0).</summary>
internal sealed partial class Parser
{
    private TomlDateTime ParseDateTime(int start, int end)
    {
        var p = start;
        var year = ReadField(ref p, end, 4, "year", start);
        Expect(ref p, end, '-', start);
        var month = ReadField(ref p, end, 2, "month", start);
        Expect(ref p, end, '-', start);
        var day = ReadField(ref p, end, 2, "day", start);
        if (year < 1)
        {
            throw Error(start, $"invalid date '{Token(start, end)}': year 0000 is not supported");
        }

        if (month < 1 || month > 12)
        {
            throw Error(start + 5, $"invalid date '{Token(start, end)}': month must be 01 to 12");
        }

        if (day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            throw Error(start + 8, $"invalid date '{Token(start, end)}': day must be 01 to {DateTime.DaysInMonth(year, month):00} in {year:0000}-{month:00}");
        }

        var date = new DateOnly(year, month, day);
        var span = SpanOf(start, end);
        if (p == end)
        {
            return new TomlDateTime(TomlKind.LocalDate, default, default, date, default, Token(start, end), span);
        }

        var separator = _text[p];
        if (separator != 'T' && separator != 't' && separator != ' ')
        {
            throw Error(p, $"invalid date-time '{Token(start, end)}': expected 'T' or a space between date and time but found {DescribeAt(p)}");
        }

        p++;
        var time = ReadTime(ref p, end, start);
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        if (p == end)
        {
            return new TomlDateTime(TomlKind.LocalDateTime, default, local, date, time, NormalizedText(start, end, end, "Z"), span);
        }

        var offsetStart = p;
        TimeSpan offset;
        if (_text[p] == 'Z' || _text[p] == 'z')
        {
            p++;
            offset = TimeSpan.Zero;
        }
        else if (_text[p] == '+' || _text[p] == '-')
        {
            var negative = _text[p] == '-';
            p++;
            var hours = ReadField(ref p, end, 2, "offset hour", start);
            Expect(ref p, end, ':', start);
            var minutes = ReadField(ref p, end, 2, "offset minute", start);
            if (hours > 23)
            {
                throw Error(offsetStart + 1, $"invalid date-time '{Token(start, end)}': offset hour must be 00 to 23");
            }

            if (minutes > 59)
            {
                throw Error(offsetStart + 4, $"invalid date-time '{Token(start, end)}': offset minute must be 00 to 59");
            }

            offset = new TimeSpan(hours, minutes, 0);
            if (negative)
            {
                offset = -offset;
            }

        }
        else
        {
            throw Error(p, $"invalid date-time '{Token(start, end)}': unexpected {DescribeAt(p)}; expected 'Z' or an offset like +01:00");
        }

        if (p != end)
        {
            throw Error(p, $"invalid date-time '{Token(start, end)}': unexpected {DescribeAt(p)} after the offset");
        }

        DateTimeOffset instant;
        try
        {
            // .NET offsets stop at ±14:00 while RFC 3339 allows ±23:59: keep the instant, normalized to UTC, for those.
            instant = Math.Abs(offset.TotalHours) <= 14
                ? new DateTimeOffset(local, offset)
                : new DateTimeOffset(DateTime.SpecifyKind(local - offset, DateTimeKind.Unspecified), TimeSpan.Zero);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new TomlSyntaxException(start, end, $"date-time '{Token(start, end)}' is out of the supported range");
        }

        return new TomlDateTime(TomlKind.OffsetDateTime, instant, default, date, time, NormalizedText(start, offsetStart, end, "Z"), span);
    }

    private TomlDateTime ParseLocalTime(int start, int end)
    {
        var p = start;
        var time = ReadTime(ref p, end, start);
        if (p != end)
        {
            throw Error(p, $"invalid time '{Token(start, end)}': unexpected {DescribeAt(p)}");
        }

        return new TomlDateTime(TomlKind.LocalTime, default, default, default, time, Token(start, end), SpanOf(start, end));
    }

    /// <summary>Reads <c>HH:MM:SS[.fraction]</c>; fractions beyond 100 ns are truncated, as TOML requires.</summary>
    private TimeOnly ReadTime(ref int p, int end, int tokenStart)
    {
        var timeStart = p;
        var hour = ReadField(ref p, end, 2, "hour", tokenStart);
        Expect(ref p, end, ':', tokenStart);
        var minute = ReadField(ref p, end, 2, "minute", tokenStart);
        if (p >= end || _text[p] != ':')
        {
            throw Error(Math.Min(p, _text.Length), $"invalid time in '{Token(tokenStart, end)}': seconds are required (HH:MM:SS)");
        }

        p++;
        var second = ReadField(ref p, end, 2, "second", tokenStart);
        if (hour > 23)
        {
            throw Error(timeStart, $"invalid time in '{Token(tokenStart, end)}': hour must be 00 to 23");
        }

        if (minute > 59)
        {
            throw Error(timeStart + 3, $"invalid time in '{Token(tokenStart, end)}': minute must be 00 to 59");
        }

        if (second > 59)
        {
            throw Error(timeStart + 6, $"invalid time in '{Token(tokenStart, end)}': second must be 00 to 59");
        }

        long ticks = 0;
        if (p < end && _text[p] == '.')
        {
            p++;
            var fractionStart = p;
            long scale = TimeSpan.TicksPerSecond;
            while (p < end && char.IsAsciiDigit(_text[p]))
            {
                scale /= 10;
                ticks += (_text[p] - '0') * scale;
                p++;
            }

            if (p == fractionStart)
            {
                throw Error(p, $"invalid time in '{Token(tokenStart, end)}': expected digits after '.'");
            }
        }

        var time = new TimeOnly(hour, minute, second).Add(TimeSpan.FromTicks(ticks));
        return time;
    }

    private int ReadField(ref int p, int end, int digits, string field, int tokenStart)
    {
        var value = 0;
        for (var i = 0; i < digits; i++)
        {
            if (p >= end || !char.IsAsciiDigit(_text[p]))
            {
                var at = Math.Min(p, _text.Length);
                throw Error(at, $"invalid date-time '{Token(tokenStart, end)}': the {field} needs {digits} digits");
            }

            value = (value * 10) + (_text[p] - '0');
            p++;
        }

        return value;
    }

    private void Expect(ref int p, int end, char expected, int tokenStart)
    {
        if (p >= end || _text[p] != expected)
        {
            var at = Math.Min(p, _text.Length);
            throw Error(at, $"invalid date-time '{Token(tokenStart, end)}': expected '{expected}' but found {(p >= end ? DescribeAt(end) : DescribeAt(p))}");
        }

        p++;
    }

    /// <summary>
    /// The date-time as RFC 3339 with 'T' and 'Z' in upper case; the written text itself when it already is.
    /// <paramref name="offsetStart"/> is where the offset begins (<paramref name="end"/> when there is none).
    /// </summary>
    private string NormalizedText(int start, int offsetStart, int end, string utc)
    {
        var written = _text.AsSpan(start, end - start);
        var isUtcLower = offsetStart < end && _text[offsetStart] == 'z';
        if (written[10] == 'T' && !isUtcLower)
        {
            return written.ToString();
        }

        var offset = offsetStart == end ? ReadOnlySpan<char>.Empty : isUtcLower ? utc.AsSpan() : _text.AsSpan(offsetStart, end - offsetStart);
        return string.Concat(written[..10], "T", _text.AsSpan(start + 11, offsetStart - start - 11), offset);
    }

    private string Token(int start, int end) => _text.Substring(start, end - start);
}
