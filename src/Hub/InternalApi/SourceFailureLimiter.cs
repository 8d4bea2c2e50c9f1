using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace Mesh.Hub.InternalApi;

/// <summary>
/// Counts failures per source address (10 per minute): for enrollment, guessing token secrets is hopeless
/// anyway, but this keeps a misconfigured or hostile client from filling the audit log and burning CPU.
/// Each source has a window of its own, from its first failure, counted by a <see cref="FixedWindowRateLimiter"/>
/// (System.Threading.RateLimiting); the window's start and end are read from the <see cref="TimeProvider"/>.
/// </summary>
public sealed class SourceFailureLimiter(TimeProvider time)
{
    public const int MaxFailures = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int MaxTrackedSources = 10_000;
    private readonly ConcurrentDictionary<string, SourceWindow> _sources = new(StringComparer.Ordinal);

    /// <summary>How long the source must wait, or null if it may try now.</summary>
    public TimeSpan? RetryAfter(string source)
    {
        if (!_sources.TryGetValue(source, out var window))
            return null;
        var now = time.GetUtcNow();
        lock (window)
        {
            if (now - window.Start >= Window)
                return null;
            return window.Failures.GetStatistics()!.CurrentAvailablePermits == 0 ? window.Start + Window - now : null;
        }
    }

    /// <summary>Records a failure; true when this is one of the first failures of the window (worth auditing).</summary>
    public bool RecordFailure(string source)
    {
        if (_sources.Count >= MaxTrackedSources)
            Prune();
        var now = time.GetUtcNow();
        var window = _sources.GetOrAdd(source, _ => new SourceWindow(now));
        lock (window)
        {
            if (now - window.Start >= Window)
                window.Restart(now);
            using var lease = window.Failures.AttemptAcquire();
            return lease.IsAcquired;
        }
    }

    private void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (key, window) in _sources)
        {
            if (now - window.Start >= Window)
                _sources.TryRemove(key, out _);
        }
    }

    private sealed class SourceWindow(DateTimeOffset start)
    {
        private static readonly FixedWindowRateLimiterOptions Options = new()
        {
            PermitLimit = MaxFailures,
            Window = SourceFailureLimiter.Window,
            // The window restarts from the TimeProvider (Restart), never from the limiter's own wall-clock timer.
            AutoReplenishment = false,
            QueueLimit = 0,
        };

        public DateTimeOffset Start { get; private set; } = start;

        public FixedWindowRateLimiter Failures { get; private set; } = new(Options);

        public void Restart(DateTimeOffset now)
        {
            Failures.Dispose();
            Failures = new FixedWindowRateLimiter(Options);
            Start = now;
        }
    }
}
