using System.Diagnostics;
using Mesh.Core.Tests;
using Mesh.Node.Agents.Worktrees;
using Xunit.Abstractions;

namespace Mesh.Node.Tests.Agents.Worktrees;

/// <summary>
/// The file browser's check-then-open window: a symlink swapped in for a folder or the file itself after the path was
/// resolved and checked, but before it is opened, is refused, never followed out of the worktree.
/// </summary>
public sealed class WorktreeFilesRaceTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;
    private readonly string _root;
    private readonly string _outside;

    public WorktreeFilesRaceTests(ITestOutputHelper output)
    {
        _output = output;
        _root = Directory.CreateDirectory(Path.Combine(_dir.Path, "wt")).FullName;
        _outside = Directory.CreateDirectory(Path.Combine(_dir.Path, "outside")).FullName;
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        File.WriteAllText(Path.Combine(_root, "sub", "file.txt"), "inside\n");
        File.WriteAllText(Path.Combine(_root, "a.txt"), "inside a\n");
        File.WriteAllText(Path.Combine(_outside, "file.txt"), "OUTSIDE secret\n");
    }

    [Fact]
    public void FolderSwappedForASymlinkBetweenCheckAndOpen_Refused()
    {
        var resolved = WorktreeFiles.Resolve(_root, "sub/file.txt", out var error);
        Assert.Null(error);
        Assert.Equal(Path.Combine(_root, "sub", "file.txt"), resolved);

        // The swap lands in the window: the checked path now leads outside through its folder.
        Directory.Move(Path.Combine(_root, "sub"), Path.Combine(_root, "sub-old"));
        File.CreateSymbolicLink(Path.Combine(_root, "sub"), _outside);

        var refused = Assert.Throws<WorktreeException>(() => WorktreeFiles.OpenInside(_root, resolved!, "sub/file.txt"));
        Assert.Equal($"'sub/file.txt' changed while it was opened and now leads outside (to {_outside}/file.txt); refused", refused.Message);
    }

    [Fact]
    public void FileSwappedForASymlinkBetweenCheckAndOpen_Refused()
    {
        var resolved = WorktreeFiles.Resolve(_root, "a.txt", out _)!;
        File.Delete(resolved);
        File.CreateSymbolicLink(resolved, Path.Combine(_outside, "file.txt"));

        var refused = Assert.Throws<WorktreeException>(() => WorktreeFiles.OpenInside(_root, resolved, "a.txt"));
        Assert.Equal("'a.txt' cannot be opened (it is a symlink); refused", refused.Message);
    }

    [Fact]
    public async Task FolderFlippingBetweenRealAndSymlinkWhileRead_NeverShowsOutsideContent()
    {
        var sub = Path.Combine(_root, "sub");
        var hold = Path.Combine(_root, "sub-hold");
        var link = Path.Combine(_root, "sub-link");
        File.CreateSymbolicLink(link, _outside);
        using var stop = new CancellationTokenSource();
        var flips = 0;
        var flipper = Task.Run(() =>
        {
            // "sub" is the real folder, then (for a moment) a symlink out of the worktree, then the real folder again.
            while (!stop.IsCancellationRequested)
            {
                Rename(sub, hold);
                Rename(link, sub);
                Rename(sub, link);
                Rename(hold, sub);
                Interlocked.Increment(ref flips);
            }
        });

        while (Volatile.Read(ref flips) == 0 && !flipper.IsCompleted)
            await Task.Yield();
        var read = 0;
        var refused = 0;
        for (var i = 0; i < 3000 && !flipper.IsCompleted; i++)
        {
            try
            {
                var result = WorktreeFiles.Read(_root, "sub/file.txt");
                Assert.Equal("inside\n", result.Content.ToStringUtf8());
                read++;
            }
            catch (Exception ex) when (ex is WorktreeException or IOException)
            {
                Assert.DoesNotContain("OUTSIDE", ex.Message, StringComparison.Ordinal);
                refused++;
            }
        }

        await stop.CancelAsync();
        await flipper;
        // Which of the two each read met depends on the scheduler; that none leaked is the point.
        Assert.Equal(3000, read + refused);
        _output.WriteLine($"{read} read, {refused} refused, {flips} flips");
    }

    [Fact]
    public void WorktreeItselfReplacedByASymlink_Refused()
    {
        Directory.Move(_root, _root + ".moved");
        File.CreateSymbolicLink(_root, _outside);

        var refused = Assert.Throws<WorktreeException>(() => WorktreeFiles.Read(_root, "file.txt"));
        Assert.Equal($"{_root} now resolves to {_outside} (replaced after it was made); refused", refused.Message);
    }

    [Fact]
    public void Fifo_RefusedWithoutBlocking()
    {
        using (var mkfifo = Process.Start("mkfifo", [Path.Combine(_root, "pipe")]))
            mkfifo.WaitForExit();

        var refused = Assert.Throws<WorktreeException>(() => WorktreeFiles.Read(_root, "pipe"));
        Assert.Equal("'pipe' is not a regular file (a pipe, socket or device); refused", refused.Message);
    }

    public void Dispose() => _dir.Dispose();

    private static void Rename(string from, string to)
    {
        if (RenameNative(from, to) != 0)
            throw new IOException($"rename {from} {to} failed: {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int RenameNative([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string from,
        [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string to);
}
