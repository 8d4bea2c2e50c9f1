using System.Globalization;

namespace Mesh.Bench;

/// <summary>CPU time of a process and its direct children from /proc (PostgreSQL: the postmaster and its backends).</summary>
internal static class ProcessTreeCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public static TimeSpan Read(int rootPid)
    {
        double ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // ended meanwhile
            }

            // After the command in parentheses: state ppid … utime (14th field) stime (15th).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ppid = int.Parse(fields[1], CultureInfo.InvariantCulture);
            if (pid == rootPid || ppid == rootPid)
                ticks += double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
