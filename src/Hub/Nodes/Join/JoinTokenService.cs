using Mesh.Core.Join;
using Mesh.Hub.Audit;
using Mesh.Hub.InternalApi;

namespace Mesh.Hub.Nodes.Join;

/// <summary>Creates, lists and revokes one-time join tokens (REST and UI call this).</summary>
public sealed class JoinTokenService(IJoinTokenStore store, IAuditLog audit, HubIdentity identity, TimeProvider time)
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(1);
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(7);
    public const int MaxUses = 1000;

    /// <summary>Who created the token the hub mints for its embedded node: no account can have this name (it has spaces).</summary>
    public const string EmbeddedNodeCreator = "hub (embedded node)";

    /// <summary>Creates a token; the returned string is the only time the secret exists outside the node that uses it.</summary>
    public async Task<(JoinTokenInfo Info, string Token)> CreateAsync(TimeSpan ttl, int uses, string? nodeId, string createdBy, string? source, CancellationToken cancellationToken)
    {
        var token = JoinToken.CreateOneTime(identity.Authority.Pin);
        var now = time.GetUtcNow();
        var info = new JoinTokenInfo(token.Id, now, now + ttl, uses, uses, nodeId, createdBy, null, null);
        await store.AddAsync(info, JoinToken.HashSecret(token.Secret), cancellationToken);
        await audit.RecordAsync(createdBy, AuditActions.JoinTokenCreated, token.Id, source,
            $"ttl={Core.Configuration.DurationText.Format(ttl)} uses={uses}" + (nodeId is null ? "" : $" node_id={nodeId}"), cancellationToken);
        return (info, token.Format());
    }

    public Task<IReadOnlyList<JoinTokenInfo>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    public async Task<bool> RevokeAsync(string id, string actor, string? source, CancellationToken cancellationToken)
    {
        if (!await store.RevokeAsync(id, time.GetUtcNow(), cancellationToken))
            return false;
        await audit.RecordAsync(actor, AuditActions.JoinTokenRevoked, id, source, null, cancellationToken);
        return true;
    }
}
