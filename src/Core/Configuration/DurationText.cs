using System.Globalization;

namespace Mesh.Core.Configuration;

/// <summary>Durations as operators write them: "500ms", "30s", "5m", "1h", "7d".</summary>
public static class DurationText
{
    public static bool TryParse(string text, out object value, out string error)
    {
        value = TimeSpan.Zero;
        if (TryParse(text, out TimeSpan span))
        {
            value = span;
            error = string.Empty;
            return true;
        }

        error = $"'{text}' is not a duration. Write a number and a unit: \"500ms\", \"30s\", \"5m\", \"1h\" or \"7d\".";
        return false;
    }

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var trimmed = text.Trim();
        var split = 0;
        while (split < trimmed.Length && char.IsAsciiDigit(trimmed[split]))
            split++;
        if (split == 0 || !long.TryParse(trimmed.AsSpan(0, split), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return false;

        TimeSpan? result = trimmed[split..] switch
        {
            "ms" => TimeSpan.FromMilliseconds(number),
            "s" => TimeSpan.FromSeconds(number),
            "m" => TimeSpan.FromMinutes(number),
            "h" => TimeSpan.FromHours(number),
            "d" => TimeSpan.FromDays(number),
            _ => null,
        };
        if (result is null)
            return false;
        value = result.Value;
        return true;
    }

    public static string Format(TimeSpan value) =>
        value.TotalDays >= 1 && value.TotalDays % 1 == 0 ? $"{value.TotalDays:0}d"
        : value.TotalHours >= 1 && value.TotalHours % 1 == 0 ? $"{value.TotalHours:0}h"
        : value.TotalMinutes >= 1 && value.TotalMinutes % 1 == 0 ? $"{value.TotalMinutes:0}m"
        : value.TotalSeconds >= 1 && value.TotalSeconds % 1 == 0 ? $"{value.TotalSeconds:0}s"
        : $"{value.TotalMilliseconds:0}ms";
}
