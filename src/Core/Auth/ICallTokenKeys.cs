namespace Mesh.Core.Auth;

/// <summary>The keys a <see cref="CallTokenValidator"/> accepts: the hub's ring (root and every node), or one node's own key.</summary>
public interface ICallTokenKeys
{
    /// <summary>Resolves a token's kid to its key and the node it belongs to (null for root keys).</summary>
    bool TryResolve(string? keyId, out byte[] key, out string? nodeId);
}
