using System.Globalization;

namespace Mesh.Hub.Hosting;

/// <summary>
/// How many connections the hub accepts at once: its open-file limit minus a reserve for the database, certificate
/// files, logs and the runtime. Past the limit Kestrel closes new connections at once (nodes retry with backoff)
/// instead of letting the process run out of file descriptors, which aborts it.
/// </summary>
internal static class ConnectionLimit
{
    public const int MinimumReserve = 512;

    /// <summary>The limit for this process, or null when the open-file limit is unknown or unlimited.</summary>
    public static long? ForThisProcess() => From(ReadOpenFileLimit());

    public static long? From(long? openFiles)
    {
        if (openFiles is not { } limit)
            return null;
        var reserve = Math.Max(MinimumReserve, limit / 10);
        return Math.Max(64, limit - reserve);
    }

    /// <summary>The soft "Max open files" of /proc/self/limits (Linux); null elsewhere or when unlimited.</summary>
    public static long? ReadOpenFileLimit()
    {
        const string path = "/proc/self/limits";
        if (!File.Exists(path))
            return null;
        foreach (var line in File.ReadLines(path))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal))
                continue;
            var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft) ? soft : null;
        }

        return null;
    }
}
