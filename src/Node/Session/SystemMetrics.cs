using System.Globalization;

namespace Mesh.Node.Session;

/// <summary>The machine figures a heartbeat carries, read from /proc on Linux (zeros where a figure is unavailable).</summary>
internal sealed class SystemMetrics(string dataDir)
{
    private (ulong Busy, ulong Total)? _lastCpu;

    public sealed record Sample(double CpuUsage, long MemoryFreeBytes, long MemoryTotalBytes, long DiskFreeBytes, long DiskTotalBytes, int ProcessCount)
    {
        /// <summary>What makes the node degraded: nearly full disk or memory.</summary>
        public List<string> Problems()
        {
            var problems = new List<string>();
            if (DiskTotalBytes > 0 && DiskFreeBytes < DiskTotalBytes * 0.03)
                problems.Add($"disk {100 - (DiskFreeBytes * 100 / DiskTotalBytes)}% full");
            if (MemoryTotalBytes > 0 && MemoryFreeBytes < MemoryTotalBytes * 0.03)
                problems.Add($"memory {100 - (MemoryFreeBytes * 100 / MemoryTotalBytes)}% used");
            return problems;
        }
    }

    public Sample Read()
    {
        var (memFree, memTotal) = Memory();
        var (diskFree, diskTotal) = DiskSpace(dataDir);
        return new Sample(Cpu(), memFree, memTotal, diskFree, diskTotal, Processes());
    }

    /// <summary>Busy share of all cores since the previous call (0 on the first).</summary>
    private double Cpu()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(p => ulong.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            ulong total = 0;
            foreach (var part in parts.Take(8))
                total += part;
            var idle = parts[3] + (parts.Length > 4 ? parts[4] : 0);
            var now = (Busy: total - idle, Total: total);
            var previous = _lastCpu;
            _lastCpu = now;
            if (previous is not { } p || now.Total <= p.Total)
                return 0;
            return Math.Clamp((double)(now.Busy - p.Busy) / (now.Total - p.Total), 0, 1);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    private static (long Free, long Total) Memory()
    {
        try
        {
            long total = 0, available = 0;
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                    total = Kilobytes(line);
                else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    available = Kilobytes(line);
            }

            return (available, total);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            var info = GC.GetGCMemoryInfo();
            return (Math.Max(0, info.TotalAvailableMemoryBytes - info.MemoryLoadBytes), info.TotalAvailableMemoryBytes);
        }
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    /// <summary>Free and total bytes of the disk holding <paramref name="folder"/> (of the temp folder's until it exists); zeros if unreadable.</summary>
    public static (long Free, long Total) DiskSpace(string folder)
    {
        try
        {
            var path = Directory.Exists(folder) ? folder : Path.GetTempPath();
            var drive = new DriveInfo(Path.GetFullPath(path));
            return (drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (0, 0);
        }
    }

    private static int Processes()
    {
        try
        {
            return Directory.EnumerateDirectories("/proc").Count(d => Path.GetFileName(d).All(char.IsAsciiDigit));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
