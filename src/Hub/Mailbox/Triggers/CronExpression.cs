using System.Globalization;

namespace Mesh.Hub.Mailbox.Triggers;

/// <summary>
/// A classic 5-field cron expression, evaluated in UTC: <c>minute hour day-of-month month day-of-week</c>.
/// Each field takes <c>*</c>, numbers, ranges <c>a-b</c>, steps <c>*/n</c> and <c>a-b/n</c>, lists <c>a,b</c>;
/// months and days accept names (<c>jan</c>, <c>mon</c>); day-of-week 0 and 7 are Sunday. As in Vixie cron, when both
/// day fields are restricted a day matches if either matches.
/// </summary>
public sealed class CronExpression
{
    private static readonly string[] FieldNames = ["minute", "hour", "day-of-month", "month", "day-of-week"];
    private static readonly string[] MonthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private readonly ulong _minutes;
    private readonly uint _hours;
    private readonly uint _daysOfMonth;
    private readonly ushort _months;
    private readonly byte _daysOfWeek;
    private readonly bool _domRestricted;
    private readonly bool _dowRestricted;

    private CronExpression(string text, ulong minutes, uint hours, uint dom, ushort months, byte dow, bool domRestricted, bool dowRestricted)
    {
        Text = text;
        _minutes = minutes;
        _hours = hours;
        _daysOfMonth = dom;
        _months = months;
        _daysOfWeek = dow;
        _domRestricted = domRestricted;
        _dowRestricted = dowRestricted;
    }

    public string Text { get; }

    public static CronExpression Parse(string text) =>
        TryParse(text, out var cron, out var error) ? cron : throw new FormatException(error);

    public static bool TryParse(string? text, out CronExpression cron, out string error)
    {
        cron = null!;
        var fields = (text ?? string.Empty).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            error = $"cron expression '{text}' has {fields.Length} fields; it needs 5: minute hour day-of-month month day-of-week (e.g. '*/15 9-17 * * mon-fri').";
            return false;
        }

        var bits = new ulong[5];
        (int Min, int Max, string[]? Names)[] ranges = [(0, 59, null), (0, 23, null), (1, 31, null), (1, 12, MonthNames), (0, 7, DayNames)];
        for (var i = 0; i < 5; i++)
        {
            if (!TryParseField(fields[i], ranges[i].Min, ranges[i].Max, ranges[i].Names, i == 3 ? 1 : 0, out bits[i], out var fieldError))
            {
                error = $"cron expression '{text}': {FieldNames[i]} field '{fields[i]}': {fieldError}";
                return false;
            }
        }

        if ((bits[4] & (1UL << 7)) != 0)
            bits[4] = (bits[4] | 1UL) & ~(1UL << 7); // 7 is Sunday too
        cron = new CronExpression(string.Join(' ', fields), bits[0], (uint)bits[1], (uint)bits[2], (ushort)bits[3], (byte)bits[4],
            fields[2] != "*", fields[4] != "*");
        error = string.Empty;
        return true;
    }

    /// <summary>The first matching minute strictly after <paramref name="after"/> (UTC), or null if none within 5 years (e.g. Feb 30).</summary>
    public DateTimeOffset? Next(DateTimeOffset after)
    {
        var t = after.UtcDateTime;
        t = new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, DateTimeKind.Utc).AddMinutes(1);
        var limit = t.AddYears(5);
        while (t < limit)
        {
            if ((_months & (1 << t.Month)) == 0)
            {
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
                continue;
            }

            if (!DayMatches(t))
            {
                t = t.Date.AddDays(1);
                continue;
            }

            if ((_hours & (1u << t.Hour)) == 0)
            {
                t = new DateTime(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Utc).AddHours(1);
                continue;
            }

            if ((_minutes & (1UL << t.Minute)) == 0)
            {
                t = t.AddMinutes(1);
                continue;
            }

            return new DateTimeOffset(t, TimeSpan.Zero);
        }

        return null;
    }

    private bool DayMatches(DateTime t)
    {
        var dom = (_daysOfMonth & (1u << t.Day)) != 0;
        var dow = (_daysOfWeek & (1 << (int)t.DayOfWeek)) != 0;
        return _domRestricted && _dowRestricted ? dom || dow : dom && dow;
    }

    private static bool TryParseField(string field, int min, int max, string[]? names, int nameBase, out ulong bits, out string error)
    {
        bits = 0;
        foreach (var part in field.Split(','))
        {
            if (part.Length == 0)
            {
                error = "an empty list item.";
                return false;
            }

            var step = 1;
            var body = part;
            var slash = part.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                if (!int.TryParse(part[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1 || step > max)
                {
                    error = $"step '{part[(slash + 1)..]}' must be a number from 1 to {max}.";
                    return false;
                }

                body = part[..slash];
            }

            int from, to;
            if (body == "*")
            {
                (from, to) = (min, max);
            }
            else
            {
                var dash = body.IndexOf('-', StringComparison.Ordinal);
                if (!TryValue(dash < 0 ? body : body[..dash], min, max, names, nameBase, out from, out error))
                    return false;
                to = from;
                if (dash >= 0 && !TryValue(body[(dash + 1)..], min, max, names, nameBase, out to, out error))
                    return false;
                if (dash < 0 && slash >= 0)
                    to = max; // "5/15" means from 5 every 15
                if (to < from)
                {
                    error = $"range '{body}' runs backwards.";
                    return false;
                }
            }

            for (var v = from; v <= to; v += step)
                bits |= 1UL << v;
        }

        error = string.Empty;
        return true;
    }

    private static bool TryValue(string text, int min, int max, string[]? names, int nameBase, out int value, out string error)
    {
        error = string.Empty;
        if (names is not null)
        {
            var index = Array.FindIndex(names, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                value = index + nameBase;
                return true;
            }
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
            return true;
        error = names is null
            ? $"'{text}' is not a number from {min} to {max}."
            : $"'{text}' is not a number from {min} to {max} or a name ({string.Join(", ", names)}).";
        return false;
    }
}
