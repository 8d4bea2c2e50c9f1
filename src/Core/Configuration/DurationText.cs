using System.Globalization;

namespace Mesh.Core.Configuration;

/// <summary>Durations as operators write them: "500ms", "30s", "5m", "1h", "7d".</summary>
public static class DurationText
{
    private const string Examples = "\"500ms\", \"30s\", \"5m\", \"1h\" or \"7d\"";

    /// <summary>Parses a configuration value of <paramref name="key"/>: a duration inside the key's range, if it has one.</summary>
    public static bool TryParse(ConfigKey key, string text, out object value, out string error)
    {
        value = TimeSpan.Zero;
        if (!TryParse(text, out TimeSpan span, out var tooLarge))
        {
            error = tooLarge && key.Range is { } range
                ? range.OutOfRange(text)
                : tooLarge ? $"'{text}' is too long for a duration (at most {Format(TimeSpan.MaxValue)})."
                : $"'{text}' is not a duration. Write a number and a unit: {Examples}.";
            return false;
        }

        if (key.Range is { } limits && !limits.Contains(span.Ticks))
        {
            error = limits.OutOfRange(text);
            return false;
        }

        value = span;
        error = string.Empty;
        return true;
    }

    /// <summary>False for anything but digits and a unit, and for a number too large to be a <see cref="TimeSpan"/>.</summary>
    public static bool TryParse(string text, out TimeSpan value) => TryParse(text, out value, out _);

    /// <summary>As <see cref="TryParse(string, out TimeSpan)"/>; <paramref name="tooLarge"/> tells a well-formed duration that overflows.</summary>
    public static bool TryParse(string text, out TimeSpan value, out bool tooLarge)
    {
        value = TimeSpan.Zero;
        tooLarge = false;
        var trimmed = text.Trim();
        var split = 0;
        while (split < trimmed.Length && char.IsAsciiDigit(trimmed[split]))
            split++;
        if (split == 0)
            return false;

        long? ticksPerUnit = trimmed[split..] switch
        {
            "ms" => TimeSpan.TicksPerMillisecond,
            "s" => TimeSpan.TicksPerSecond,
            "m" => TimeSpan.TicksPerMinute,
            "h" => TimeSpan.TicksPerHour,
            "d" => TimeSpan.TicksPerDay,
            _ => null,
        };
        if (ticksPerUnit is null)
            return false;

        // Digits beyond long, or a product beyond TimeSpan, are a well-formed duration that is too large, not a crash.
        if (!long.TryParse(trimmed.AsSpan(0, split), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number > TimeSpan.MaxValue.Ticks / ticksPerUnit.Value)
        {
            tooLarge = true;
            return false;
        }

        value = TimeSpan.FromTicks(number * ticksPerUnit.Value);
        return true;
    }

    public static string Format(TimeSpan value) =>
        value == TimeSpan.Zero ? "0s"
        : value.TotalDays >= 1 && value.TotalDays % 1 == 0 ? $"{value.TotalDays:0}d"
        : value.TotalHours >= 1 && value.TotalHours % 1 == 0 ? $"{value.TotalHours:0}h"
        : value.TotalMinutes >= 1 && value.TotalMinutes % 1 == 0 ? $"{value.TotalMinutes:0}m"
        : value.TotalSeconds >= 1 && value.TotalSeconds % 1 == 0 ? $"{value.TotalSeconds:0}s"
        : $"{value.TotalMilliseconds:0}ms";
}
