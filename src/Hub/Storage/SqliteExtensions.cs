using System.Globalization;

namespace Mesh.Hub.Storage;

/// <summary>SQLite's text form of times (ISO 8601 UTC, 100 ns), written and read back by <see cref="DbStatements"/>.</summary>
public static class SqliteExtensions
{
    public static string ToDb(this DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    /// <summary>A time as <see cref="ToDb"/> wrote it.</summary>
    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
