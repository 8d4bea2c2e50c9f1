namespace Mesh.Hub.Nodes.Join;

/// <summary>A one-time join token as listed to operators: everything but the secret.</summary>
public sealed record JoinTokenInfo(
    string Id,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    int Uses,
    int UsesLeft,
    string? NodeId,
    string CreatedBy,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt)
{
    public string StatusAt(DateTimeOffset now) =>
        RevokedAt is not null ? "revoked" : UsesLeft <= 0 ? "used" : now >= ExpiresAt ? "expired" : "active";
}

public enum ConsumeOutcome
{
    Consumed,
    /// <summary>No such id, or the secret does not match: indistinguishable to the caller.</summary>
    NotValid,
    UsedUp,
    Revoked,
}
