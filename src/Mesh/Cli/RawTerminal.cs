using System.Runtime.InteropServices;

namespace Mesh.Cli;

/// <summary>Puts the terminal on stdin into raw mode (every key as it is typed, no echo, no signals from Ctrl-C) until disposed.</summary>
internal sealed partial class RawTerminal : IDisposable
{
    private const int StdinFd = 0;
    private const int TCSANOW = 0;
    private readonly byte[] _saved = new byte[256]; // struct termios is 60 bytes on Linux; room to spare

    private RawTerminal()
    {
    }

    /// <summary>Raw mode on, or null (and why) when stdin is not a terminal.</summary>
    public static RawTerminal? Enter(out string? why)
    {
        why = null;
        if (IsATty(StdinFd) != 1)
        {
            why = "stdin is not a terminal";
            return null;
        }

        var terminal = new RawTerminal();
        if (GetAttributes(StdinFd, terminal._saved) != 0)
        {
            why = "cannot read the terminal's settings: " + Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            return null;
        }

        var raw = (byte[])terminal._saved.Clone();
        MakeRaw(raw);
        if (SetAttributes(StdinFd, TCSANOW, raw) != 0)
        {
            why = "cannot set raw mode: " + Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            return null;
        }

        return terminal;
    }

    public void Dispose() => _ = SetAttributes(StdinFd, TCSANOW, _saved);

    /// <summary>
    /// Reads what was typed with read(2) on fd 0 — not through System.Console, which keeps terminal settings of its
    /// own and would put the terminal back into line mode. 0 at end of input.
    /// </summary>
    public static int Read(byte[] buffer)
    {
        while (true)
        {
            var read = ReadNative(StdinFd, buffer, buffer.Length);
            if (read >= 0)
                return (int)read;
            if (Marshal.GetLastPInvokeError() != 4) // EINTR (a SIGWINCH while waiting)
                return 0;
        }
    }

    /// <summary>The terminal's size (TIOCGWINSZ on stdin); null when it does not know one.</summary>
    public static (int Cols, int Rows)? Size()
    {
        var size = new ushort[4];
        return GetWindowSize(StdinFd, 0x5413, size) == 0 && size[0] > 0 && size[1] > 0 ? (size[1], size[0]) : null;
    }

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadNative(int fd, byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int GetWindowSize(int fd, nuint request, ushort[] size);

    [LibraryImport("libc", EntryPoint = "isatty")]
    private static partial int IsATty(int fd);

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    private static partial int GetAttributes(int fd, byte[] termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    private static partial int SetAttributes(int fd, int when, byte[] termios);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static partial void MakeRaw(byte[] termios);
}
