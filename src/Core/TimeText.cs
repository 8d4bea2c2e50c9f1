using System.Globalization;

namespace Mesh.Core;

/// <summary>
/// The one way Mesh writes a time for people and programs — logs, API errors, command output, titles in the UI:
/// ISO 8601 in UTC to the second, e.g. <c>2026-12-05T19:52:14Z</c>.
/// </summary>
public static class TimeText
{
    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset? at) => at is { } value ? Iso(value) : "never";
}

/// <summary>A time that logs as <see cref="TimeText.Iso(DateTimeOffset)"/>: a log parameter type, so the text is made only when a line is written.</summary>
public readonly record struct IsoTime(DateTimeOffset At)
{
    public override string ToString() => TimeText.Iso(At);
}
