using System.Globalization;

namespace Mesh.Node.Agents.Processes;

/// <summary>
/// A process named so that a reused pid is never mistaken for it: pid, start time (clock ticks since boot, field 22
/// of /proc/PID/stat) and the boot id.
/// </summary>
internal readonly record struct ProcessIdentity(int Pid, ulong StartTicks, string BootId)
{
    private static readonly Lazy<string> CurrentBootId = new(() =>
        File.Exists("/proc/sys/kernel/random/boot_id") ? File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim() : "");

    public static string BootIdNow => CurrentBootId.Value;

    /// <summary>The identity of a live process; null when it is gone (or a zombie).</summary>
    public static ProcessIdentity? Of(int pid)
    {
        var stat = ReadStat(pid);
        return stat is { State: not 'Z' and not 'X' } ? new ProcessIdentity(pid, stat.Value.StartTicks, BootIdNow) : null;
    }

    /// <summary>True while this very process runs (same boot, same pid, same start time, not a zombie).</summary>
    public bool IsAlive()
    {
        if (Pid <= 0 || BootId != BootIdNow)
            return false;
        var stat = ReadStat(Pid);
        return stat is { State: not 'Z' and not 'X' } && stat.Value.StartTicks == StartTicks;
    }

    /// <summary>The pids of the live processes in session <paramref name="sessionId"/> (a run's holder leads one).</summary>
    public static IReadOnlyList<int> InSession(int sessionId)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            if (ReadStat(pid) is { State: not 'Z' and not 'X' } stat && stat.SessionId == sessionId)
                pids.Add(pid);
        }

        return pids;
    }

    private static (char State, int SessionId, ulong StartTicks)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may hold spaces or ')': fields restart after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
            return null;
        var fields = text[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state); session is field 6, start time field 22.
        if (fields.Length < 20 || !ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !int.TryParse(fields[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var session))
            return null;
        return (fields[0][0], session, start);
    }
}
