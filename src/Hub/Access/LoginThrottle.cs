using System.Collections.Concurrent;

namespace Mesh.Hub.Access;

/// <summary>
/// Failed logins per account and source address: after <see cref="FreeFailures"/> failures that address waits 30 s
/// for that account, doubling with each further failure up to 15 minutes. A guesser locks out only itself, so an
/// anonymous client cannot keep the operator out. In memory and bounded; a restart forgets it (the account-wide
/// counter in the store does not).
/// </summary>
public sealed class LoginThrottle(TimeProvider time)
{
    public const int FreeFailures = 5;
    private const int MaxTracked = 10_000;
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(15);
    private readonly ConcurrentDictionary<(string Account, string Source), Entry> _entries = new();

    /// <summary>How long <paramref name="source"/> must wait before it may try <paramref name="account"/> again; zero when it may.</summary>
    public TimeSpan Wait(string account, string source) =>
        _entries.TryGetValue((account, source), out var entry) && entry.LockedUntil is { } until && until > time.GetUtcNow()
            ? until - time.GetUtcNow()
            : TimeSpan.Zero;

    /// <summary>Counts a failure and returns the wait it starts (zero while failures are still free).</summary>
    public TimeSpan RecordFailure(string account, string source)
    {
        if (_entries.Count >= MaxTracked)
            Prune();
        var now = time.GetUtcNow();
        var entry = _entries.AddOrUpdate((account, source), _ => Next(new Entry(0, null), now), (_, old) => Next(old, now));
        return entry.LockedUntil is { } until ? until - now : TimeSpan.Zero;
    }

    public void Reset(string account, string source) => _entries.TryRemove((account, source), out _);

    private static Entry Next(Entry old, DateTimeOffset now)
    {
        var failures = old.Failures + 1;
        if (failures < FreeFailures)
            return new Entry(failures, null);
        var wait = TimeSpan.FromSeconds(Math.Min(MaxWait.TotalSeconds, 30 * Math.Pow(2, failures - FreeFailures)));
        return new Entry(failures, now + wait);
    }

    // Entries whose wait is over and which are not counting toward one are dropped first; then everything.
    private void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (key, entry) in _entries)
        {
            if (entry.LockedUntil is null || entry.LockedUntil <= now)
                _entries.TryRemove(key, out _);
        }

        if (_entries.Count >= MaxTracked)
            _entries.Clear();
    }

    private sealed record Entry(int Failures, DateTimeOffset? LockedUntil);
}
