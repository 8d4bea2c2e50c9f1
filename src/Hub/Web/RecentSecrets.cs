using System.Collections.Concurrent;

namespace Mesh.Hub.Web;

/// <summary>
/// Values just created on a page (a token and its secret), held in memory for the operator who created them, so the
/// page can post, redirect and show them on a plain GET: a reload re-posts nothing. Only that operator sees one, for
/// <see cref="Keep"/> at most (or less, when given); a hub restart forgets them. At most <see cref="MaxEntries"/> are
/// held (the oldest go first).
/// </summary>
public sealed class RecentSecrets<T>(TimeProvider time) where T : class
{
    public static readonly TimeSpan Keep = TimeSpan.FromMinutes(15);
    public const int MaxEntries = 256;

    private readonly ConcurrentDictionary<string, (string Owner, T Value, DateTimeOffset Until)> _entries = new(StringComparer.Ordinal);

    /// <summary>Holds <paramref name="value"/> under <paramref name="id"/> until <paramref name="until"/> or for <see cref="Keep"/>, whichever is sooner; returns that time.</summary>
    public DateTimeOffset Add(string id, string owner, T value, DateTimeOffset? until = null)
    {
        var now = time.GetUtcNow();
        foreach (var stale in _entries.Where(e => e.Value.Until <= now).Select(e => e.Key).ToList())
            _entries.TryRemove(stale, out _);
        while (_entries.Count >= MaxEntries && _entries.MinBy(e => e.Value.Until).Key is { } oldest)
            _entries.TryRemove(oldest, out _);
        var shownUntil = until is { } u && u < now + Keep ? u : now + Keep;
        _entries[id] = (owner, value, shownUntil);
        return shownUntil;
    }

    /// <summary>The value if <paramref name="owner"/> created it and it is still held; null otherwise.</summary>
    public T? Find(string id, string owner) =>
        _entries.TryGetValue(id, out var entry) && string.Equals(entry.Owner, owner, StringComparison.Ordinal) && entry.Until > time.GetUtcNow()
            ? entry.Value
            : null;
}
