using System.Runtime.InteropServices;

namespace Mesh.Pki.Internal;

/// <summary>fsync of a directory so a rename survives a crash; .NET cannot open a directory as a stream.</summary>
internal static partial class Native
{
    private const int ReadOnly = 0;

    public static void FsyncDirectory(string dir)
    {
        if (OperatingSystem.IsWindows())
            return;
        var fd = Open(dir, ReadOnly);
        if (fd < 0)
            throw new IOException($"open({dir}) for fsync failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"fsync({dir}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
