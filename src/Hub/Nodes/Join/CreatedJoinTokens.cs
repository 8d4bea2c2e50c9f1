using System.Collections.Concurrent;

namespace Mesh.Hub.Nodes.Join;

/// <summary>A token just created on the Join page, as its creator may see it again for a while.</summary>
public sealed record CreatedJoinToken(string Id, string Token, string? NodeId, DateTimeOffset ExpiresAt, DateTimeOffset ShownUntil);

/// <summary>
/// Holds a just-created token's secret in memory for the operator who created it, so the Join page can post, redirect
/// and show it on a plain GET (a reload re-posts nothing) and keep its "waiting for your node" panel. Only that
/// operator's session sees it, for <see cref="Keep"/> at most; a hub restart forgets it. At most
/// <see cref="MaxEntries"/> are held (the oldest go first).
/// </summary>
public sealed class CreatedJoinTokens(TimeProvider time)
{
    public static readonly TimeSpan Keep = TimeSpan.FromMinutes(15);
    public const int MaxEntries = 256;

    private readonly ConcurrentDictionary<string, (string Owner, CreatedJoinToken Token)> _entries = new(StringComparer.Ordinal);

    public CreatedJoinToken Add(string owner, JoinTokenInfo info, string token)
    {
        var now = time.GetUtcNow();
        foreach (var stale in _entries.Where(e => e.Value.Token.ShownUntil <= now).Select(e => e.Key).ToList())
            _entries.TryRemove(stale, out _);
        while (_entries.Count >= MaxEntries && _entries.MinBy(e => e.Value.Token.ShownUntil).Key is { } oldest)
            _entries.TryRemove(oldest, out _);
        var shownUntil = now + Keep < info.ExpiresAt ? now + Keep : info.ExpiresAt;
        var created = new CreatedJoinToken(info.Id, token, info.NodeId, info.ExpiresAt, shownUntil);
        _entries[info.Id] = (owner, created);
        return created;
    }

    /// <summary>The token if <paramref name="owner"/> created it and it is still shown; null otherwise.</summary>
    public CreatedJoinToken? Find(string id, string owner) =>
        _entries.TryGetValue(id, out var entry) && string.Equals(entry.Owner, owner, StringComparison.Ordinal) && entry.Token.ShownUntil > time.GetUtcNow()
            ? entry.Token
            : null;
}
