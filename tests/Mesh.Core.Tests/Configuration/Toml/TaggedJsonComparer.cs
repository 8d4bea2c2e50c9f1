using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mesh.Core.Tests.Configuration.Toml;

/// <summary>
/// Compares two toml-test tagged JSON documents as values: floats numerically (nan equals nan), offset date-times as
/// instants, local date-times and times with trailing fractional zeros ignored. Independent of the parser's own code.
/// </summary>
internal static partial class TaggedJsonComparer
{
    /// <summary>Returns null when equal, otherwise where and how they differ.</summary>
    public static string? Difference(JsonElement expected, JsonElement actual, string path = "$")
    {
        if (IsLeaf(expected))
        {
            if (!IsLeaf(actual))
            {
                return $"{path}: expected a {expected.GetProperty("type").GetString()} value, got {Show(actual)}";
            }

            var type = expected.GetProperty("type").GetString()!;
            var actualType = actual.GetProperty("type").GetString()!;
            if (type != actualType)
            {
                return $"{path}: expected type {type}, got {actualType} ({Show(actual)})";
            }

            var e = expected.GetProperty("value").GetString()!;
            var a = actual.GetProperty("value").GetString()!;
            return LeafEquals(type, e, a) ? null : $"{path}: expected {type} '{e}', got '{a}'";
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                if (actual.ValueKind != JsonValueKind.Object || IsLeaf(actual))
                {
                    return $"{path}: expected a table, got {Show(actual)}";
                }

                var expectedKeys = expected.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                var actualKeys = actual.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                var missing = expectedKeys.Except(actualKeys).ToList();
                if (missing.Count > 0)
                {
                    return $"{path}: missing keys {string.Join(", ", missing.Select(k => $"'{k}'"))}";
                }

                var extra = actualKeys.Except(expectedKeys).ToList();
                if (extra.Count > 0)
                {
                    return $"{path}: unexpected keys {string.Join(", ", extra.Select(k => $"'{k}'"))}";
                }

                foreach (var property in expected.EnumerateObject())
                {
                    var difference = Difference(property.Value, actual.GetProperty(property.Name), $"{path}.{property.Name}");
                    if (difference is not null)
                    {
                        return difference;
                    }
                }

                return null;
            case JsonValueKind.Array:
                if (actual.ValueKind != JsonValueKind.Array)
                {
                    return $"{path}: expected an array, got {Show(actual)}";
                }

                if (expected.GetArrayLength() != actual.GetArrayLength())
                {
                    return $"{path}: expected {expected.GetArrayLength()} elements, got {actual.GetArrayLength()}";
                }

                for (var i = 0; i < expected.GetArrayLength(); i++)
                {
                    var difference = Difference(expected[i], actual[i], $"{path}[{i}]");
                    if (difference is not null)
                    {
                        return difference;
                    }
                }

                return null;
            default:
                return $"{path}: unexpected JSON in the expected document: {expected.GetRawText()}";
        }
    }

    private static bool IsLeaf(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object
        && element.EnumerateObject().Count() == 2
        && element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
        && element.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String;

    private static string Show(JsonElement element)
    {
        var text = element.GetRawText();
        return text.Length > 120 ? text[..120] + "…" : text;
    }

    private static bool LeafEquals(string type, string expected, string actual) => type switch
    {
        "float" => FloatEquals(expected, actual),
        "integer" => long.Parse(expected, CultureInfo.InvariantCulture) == long.Parse(actual, CultureInfo.InvariantCulture),
        "datetime" => Instant(expected) == Instant(actual),
        "datetime-local" => LocalDateTime(expected) == LocalDateTime(actual),
        "date-local" => expected == actual,
        "time-local" => LocalTime(expected) == LocalTime(actual),
        _ => string.Equals(expected, actual, StringComparison.Ordinal),
    };

    private static bool FloatEquals(string expected, string actual)
    {
        var e = ParseFloat(expected);
        var a = ParseFloat(actual);
        return (double.IsNaN(e) && double.IsNaN(a)) || e.Equals(a);
    }

    private static double ParseFloat(string text) => text switch
    {
        "inf" or "+inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        "nan" or "+nan" or "-nan" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    [GeneratedRegex(@"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:\d{2})?$")]
    private static partial Regex DateTimePattern();

    [GeneratedRegex(@"^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$")]
    private static partial Regex TimePattern();

    /// <summary>Seconds since 0001-01-01 UTC plus the fraction as trimmed digits; independent of DateTimeOffset's ±14 h limit.</summary>
    private static (long Seconds, string Fraction) Instant(string text)
    {
        var m = DateTimePattern().Match(text);
        if (!m.Success || !m.Groups[8].Success)
        {
            throw new FormatException($"Not an offset date-time: '{text}'.");
        }

        var (seconds, fraction) = LocalParts(m);
        var offset = m.Groups[8].Value;
        if (offset is not "Z" and not "z")
        {
            var minutes = (int.Parse(offset[1..3], CultureInfo.InvariantCulture) * 60) + int.Parse(offset[4..6], CultureInfo.InvariantCulture);
            seconds -= (offset[0] == '-' ? -minutes : minutes) * 60L;
        }

        return (seconds, fraction);
    }

    private static (long Seconds, string Fraction) LocalDateTime(string text)
    {
        var m = DateTimePattern().Match(text);
        if (!m.Success || m.Groups[8].Success)
        {
            throw new FormatException($"Not a local date-time: '{text}'.");
        }

        return LocalParts(m);
    }

    private static (long Seconds, string Fraction) LocalParts(Match m)
    {
        int G(int i) => m.Groups[i].Success ? int.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
        var days = new DateOnly(G(1), G(2), G(3)).DayNumber;
        var seconds = (days * 86400L) + (G(4) * 3600L) + (G(5) * 60L) + G(6);
        return (seconds, m.Groups[7].Value.TrimEnd('0'));
    }

    private static (long Seconds, string Fraction) LocalTime(string text)
    {
        var m = TimePattern().Match(text);
        if (!m.Success)
        {
            throw new FormatException($"Not a local time: '{text}'.");
        }

        int G(int i) => m.Groups[i].Success ? int.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
        return ((G(1) * 3600L) + (G(2) * 60L) + G(3), m.Groups[4].Value.TrimEnd('0'));
    }
}
