using Mesh.Hub.Web;

namespace Mesh.Hub.Nodes.Join;

/// <summary>A token just created on the Join page, as its creator may see it again for a while.</summary>
public sealed record CreatedJoinToken(string Id, string Token, string? NodeId, DateTimeOffset ExpiresAt, DateTimeOffset ShownUntil);

/// <summary>
/// Holds a just-created token's secret for the operator who created it (<see cref="RecentSecrets{T}"/>), so the Join
/// page can post, redirect and show it on a plain GET and keep its "waiting for your node" panel; never past the
/// token's own expiry.
/// </summary>
public sealed class CreatedJoinTokens(TimeProvider time)
{
    public static readonly TimeSpan Keep = RecentSecrets<CreatedJoinToken>.Keep;

    private readonly RecentSecrets<CreatedJoinToken> _recent = new(time);

    public CreatedJoinToken Add(string owner, JoinTokenInfo info, string token)
    {
        var now = time.GetUtcNow();
        var shownUntil = now + Keep < info.ExpiresAt ? now + Keep : info.ExpiresAt;
        var created = new CreatedJoinToken(info.Id, token, info.NodeId, info.ExpiresAt, shownUntil);
        _recent.Add(info.Id, owner, created, shownUntil);
        return created;
    }

    /// <summary>The token if <paramref name="owner"/> created it and it is still shown; null otherwise.</summary>
    public CreatedJoinToken? Find(string id, string owner) => _recent.Find(id, owner);
}
