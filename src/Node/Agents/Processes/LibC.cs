using System.Runtime.InteropServices;

namespace Mesh.Node.Agents.Processes;

/// <summary>The few libc calls the agent runtime needs that .NET does not expose.</summary>
internal static partial class LibC
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    private const int ESRCH = 3;
    private const int ELOOP = 40;
    private const int FALLOC_FL_KEEP_SIZE = 0x01;
    private const int FALLOC_FL_PUNCH_HOLE = 0x02;

    /// <summary>kill(2); false when the process (group) no longer exists.</summary>
    public static bool Signal(int pid, int signal)
    {
        if (Kill(pid, signal) == 0)
            return true;
        var errno = Marshal.GetLastPInvokeError();
        return errno == ESRCH ? false : throw new IOException($"kill({pid}, {signal}) failed: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>Frees the blocks of [0, length) while the file keeps its size, so every byte position stays valid.</summary>
    public static bool PunchHole(SafeHandle file, long length)
    {
        var fd = (int)file.DangerousGetHandle();
        return Fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, length) == 0;
    }

    /// <summary>realpath(3): the absolute path with every symlink, "." and ".." resolved; null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        var resolved = RealPathNative(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
            return null;
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    /// <summary>mkfifo(3) with mode 0600.</summary>
    public static void MakeFifo(string path)
    {
        if (MkFifo(path, 0x180) != 0)
            throw new IOException($"mkfifo {path} failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    /// <summary>
    /// Writes as much of <paramref name="data"/> as a FIFO takes now, without waiting: the count written, or null when the
    /// FIFO has no reader (the run's holder is gone).
    /// </summary>
    public static int? WriteFifoNow(string path, ReadOnlySpan<byte> data)
    {
        var fd = Open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW, 0);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is ENXIO or ENOENT ? null : throw new IOException($"cannot open {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        try
        {
            var written = 0;
            while (written < data.Length)
            {
                var n = Write(fd, data[written..], (nint)(data.Length - written));
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR)
                        continue;
                    if (errno == EAGAIN)
                        break;
                    if (errno == EPIPE)
                        return written == 0 ? null : written;
                    throw new IOException($"cannot write to {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
                }

                written += (int)n;
            }

            return written;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Sets a terminal's size (TIOCSWINSZ); the kernel sends SIGWINCH to the terminal's foreground process group.</summary>
    public static void SetWindowSize(string ttyPath, ushort cols, ushort rows)
    {
        var fd = Open(ttyPath, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW, 0);
        if (fd < 0)
            throw new IOException($"cannot open {ttyPath}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        try
        {
            var size = new WindowSize { Rows = rows, Cols = cols };
            if (IoctlWindowSize(fd, TIOCSWINSZ, ref size) != 0)
                throw new IOException($"cannot resize {ttyPath}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private const int O_WRONLY = 0x1;
    private const int O_RDWR = 0x2;
    private const int O_NOCTTY = 0x100;
    private const int O_NONBLOCK = 0x800;
    // O_NOFOLLOW differs between architectures; the other flags here do not.
    private static readonly int O_NOFOLLOW = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;
    private const int O_CLOEXEC = 0x80000;
    private const int ENOENT = 2;
    private const int EINTR = 4;
    private const int ENXIO = 6;
    private const int EAGAIN = 11;
    private const int EPIPE = 32;
    private const nuint TIOCSWINSZ = 0x5414;

    [StructLayout(LayoutKind.Sequential)]
    private struct WindowSize
    {
        public ushort Rows;
        public ushort Cols;
        public ushort XPixels;
        public ushort YPixels;
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, ReadOnlySpan<byte> buffer, nint count);

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MkFifo(string path, int mode);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlWindowSize(int fd, nuint request, ref WindowSize size);

    /// <summary>
    /// open(2) read-only without following a symlink as the last component (ELOOP), without blocking on a FIFO, and not
    /// inherited by children; null with the errno text when it fails.
    /// </summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle? OpenNoFollow(string path, out string? error)
    {
        var fd = Open(path, O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            error = errno == ELOOP ? "it is a symlink" : Marshal.GetPInvokeErrorMessage(errno);
            return null;
        }

        error = null;
        return new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>What an open file descriptor refers to now, read from /proc/self/fd (symlinks in its path already resolved by the kernel).</summary>
    public static string? OpenedPath(Microsoft.Win32.SafeHandles.SafeFileHandle handle) =>
        new FileInfo(FdPath(handle)).LinkTarget;

    /// <summary>/proc/self/fd/N: a path that reaches the very file or folder the handle holds, whatever is renamed or swapped meanwhile.</summary>
    public static string FdPath(Microsoft.Win32.SafeHandles.SafeFileHandle handle) =>
        "/proc/self/fd/" + handle.DangerousGetHandle().ToInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);


    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int Fallocate(int fd, int mode, long offset, long length);

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial IntPtr RealPathNative(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(IntPtr pointer);
}
