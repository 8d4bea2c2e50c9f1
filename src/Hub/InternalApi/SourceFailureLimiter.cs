using System.Collections.Concurrent;

namespace Mesh.Hub.InternalApi;

/// <summary>
/// Counts failures per source address (10 per minute): for enrollment, guessing token secrets is hopeless
/// anyway, but this keeps a misconfigured or hostile client from filling the audit log and burning CPU.
/// </summary>
public sealed class SourceFailureLimiter(TimeProvider time)
{
    public const int MaxFailures = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int MaxTrackedSources = 10_000;
    private readonly ConcurrentDictionary<string, FailureWindow> _sources = new(StringComparer.Ordinal);

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
            return window.Failures >= MaxFailures ? window.Start + Window - now : null;
        }
    }

    /// <summary>Records a failure; true when this is one of the first failures of the window (worth auditing).</summary>
    public bool RecordFailure(string source)
    {
        if (_sources.Count >= MaxTrackedSources)
            Prune();
        var now = time.GetUtcNow();
        var window = _sources.GetOrAdd(source, _ => new FailureWindow(now));
        lock (window)
        {
            if (now - window.Start >= Window)
            {
                window.Start = now;
                window.Failures = 0;
            }

            window.Failures++;
            return window.Failures <= MaxFailures;
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

    private sealed class FailureWindow(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; set; } = start;

        public int Failures { get; set; }
    }
}
