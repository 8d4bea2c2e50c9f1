using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Mesh.Rpc.Tests.Infrastructure;

/// <summary>Records unobserved task exceptions for the whole test run; tests assert there are none.</summary>
internal static class UnobservedExceptions
{
    private static readonly ConcurrentQueue<Exception> Seen = new();

    [ModuleInitializer]
    internal static void Hook() =>
        TaskScheduler.UnobservedTaskException += (_, e) => Seen.Enqueue(e.Exception);

    public static void AssertNone()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var seen = new List<Exception>();
        while (Seen.TryDequeue(out var exception))
        {
            seen.Add(exception);
        }

        // Reported once (by whichever test looks first), so one leak does not fail every later test.
        Assert.True(seen.Count == 0, "Unobserved task exceptions:\n" + string.Join("\n---\n", seen));
    }
}
