using System.Globalization;
using System.Text;
using Mesh.Node.Agents.Processes;
using Microsoft.Win32.SafeHandles;

namespace Mesh.Node.Agents.Output;

/// <summary>
/// One run's folder on the node (data_dir/runs/RUN_ID, 0700): <c>stdout</c> and <c>stderr</c> as the run wrote them
/// (a byte's position in its file never changes, also after old output is dropped), <c>pid</c> and <c>exit</c> from
/// the holder, and the actor token file.
/// </summary>
internal sealed class RunFolder(string path)
{
    public const string StdoutFile = "stdout";
    public const string StderrFile = "stderr";

    public string Path { get; } = path;

    public string TokenFile => System.IO.Path.Combine(Path, "token");

    /// <summary>The FIFO an interactive run reads as its stdin.</summary>
    public string InputFifo => System.IO.Path.Combine(Path, "stdin");

    /// <summary>
    /// Makes the folder with empty output files, or stdout beginning with <paramref name="preamble"/> (what the node did
    /// before the command, like a worktree's setup): the holder appends after it, so positions count it as output.
    /// </summary>
    public static RunFolder Create(string runsRoot, string runId, bool interactive = false, byte[]? preamble = null)
    {
        var path = System.IO.Path.Combine(runsRoot, runId);
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllBytes(System.IO.Path.Combine(path, StdoutFile), preamble ?? []);
        File.WriteAllBytes(System.IO.Path.Combine(path, StderrFile), []);
        var folder = new RunFolder(path);
        if (interactive)
            LibC.MakeFifo(folder.InputFifo);
        return folder;
    }

    /// <summary>A tty run's terminal (/dev/pts/N) as the command saw it at start; null for other runs or before it started.</summary>
    public string? TerminalPath()
    {
        try
        {
            var text = File.ReadAllText(System.IO.Path.Combine(Path, "tty")).Trim();
            return text.StartsWith("/dev/pts/", StringComparison.Ordinal) && text.Length > 9 && text[9..].All(char.IsAsciiDigit) ? text : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The command's pid once the holder has started it.</summary>
    public int? CommandPid() => ReadInt("pid");

    /// <summary>The holder's record of the command's end: the exit code, or 128+N after signal N; null if none.</summary>
    public int? ExitStatus() => ReadInt("exit");

    public long Size(string stream)
    {
        var info = new FileInfo(System.IO.Path.Combine(Path, stream));
        return info.Exists ? info.Length : 0;
    }

    /// <summary>Bytes the files hold on disk (dropped output excluded).</summary>
    public long BytesOnDisk() => new[] { StdoutFile, StderrFile }.Sum(s => Size(s) - DroppedBefore(s));

    /// <summary>The position before which output of <paramref name="stream"/> was dropped (0 when none was).</summary>
    public long DroppedBefore(string stream) => ReadLong(stream + ".dropped") ?? 0;

    /// <summary>
    /// Keeps at most <paramref name="limit"/> bytes of each stream on disk by punching out the oldest (the file keeps
    /// its size, so positions stay); false when the file system cannot punch holes.
    /// </summary>
    public bool DropOldest(long limit)
    {
        foreach (var stream in new[] { StdoutFile, StderrFile })
        {
            var size = Size(stream);
            var dropped = DroppedBefore(stream);
            if (size - dropped <= limit)
                continue;
            // Keep half the limit, so a busy writer does not make this run on every check; whole 4 KiB blocks.
            var cut = (size - (limit / 2)) & ~4095L;
            if (cut <= dropped)
                continue;
            // Said before it is done, and in one rename: a reader that looks at the position and then reads the bytes
            // never takes the zeros of a punched hole for output (the relay checks the position again after reading).
            WriteDropped(stream, cut);
            using SafeFileHandle handle = File.OpenHandle(System.IO.Path.Combine(Path, stream), FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            if (!LibC.PunchHole(handle, cut))
            {
                WriteDropped(stream, dropped);
                return false;
            }
        }

        return true;
    }

    private void WriteDropped(string stream, long position)
    {
        var path = System.IO.Path.Combine(Path, stream + ".dropped");
        File.WriteAllText(path + ".tmp", position.ToString(CultureInfo.InvariantCulture));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>The last lines of stdout, then of stderr (prefixed "stderr: "), at most <paramref name="count"/> each.</summary>
    public IReadOnlyList<string> LastLines(int count)
    {
        var lines = new List<string>();
        lines.AddRange(Tail(StdoutFile, count));
        lines.AddRange(Tail(StderrFile, count).Select(l => "stderr: " + l));
        return lines;
    }

    public void Delete()
    {
        if (Directory.Exists(Path))
            Directory.Delete(Path, recursive: true);
    }

    private IEnumerable<string> Tail(string stream, int count)
    {
        const int Window = 8192;
        var path = System.IO.Path.Combine(Path, stream);
        if (!File.Exists(path))
            return [];
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var start = Math.Max(Math.Max(0, file.Length - Window), DroppedBefore(stream));
        file.Position = start;
        var buffer = new byte[file.Length - start];
        file.ReadExactly(buffer);
        var text = Encoding.UTF8.GetString(buffer);
        var lines = text.Split('\n');
        // A partial first line (the window cut it) and the empty string after a final newline are not lines.
        var whole = lines.Skip(start > 0 ? 1 : 0).ToList();
        if (whole.Count > 0 && whole[^1].Length == 0)
            whole.RemoveAt(whole.Count - 1);
        return whole.TakeLast(count).Select(l => l.Length > 500 ? l[..500] + "…" : l);
    }

    private int? ReadInt(string name) => ReadLong(name) is { } value ? (int)value : null;

    private long? ReadLong(string name)
    {
        var path = System.IO.Path.Combine(Path, name);
        if (!File.Exists(path))
            return null; // the usual case (nothing dropped), read per chunk: no exception for it
        try
        {
            return long.TryParse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
