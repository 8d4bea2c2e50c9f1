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

    /// <summary>
    /// open(2) read-only without following a symlink as the last component (ELOOP), without blocking on a FIFO, and not
    /// inherited by children; null with the errno text when it fails.
    /// </summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle? OpenNoFollow(string path, out string? error)
    {
        // O_NOFOLLOW differs between architectures; O_NONBLOCK (0x800) and O_CLOEXEC (0x80000) do not.
        var noFollow = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;
        var fd = OpenNative(path, noFollow | 0x800 | 0x80000, 0);
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

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenNative(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int Fallocate(int fd, int mode, long offset, long length);

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial IntPtr RealPathNative(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(IntPtr pointer);
}
