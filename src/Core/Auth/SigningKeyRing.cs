using System.Security.Cryptography;
using System.Text;
using Mesh.Core.Configuration;

namespace Mesh.Core.Auth;

/// <summary>
/// The HS256 keys of a cluster. The shared secret itself signs root tokens; every node gets its own key,
/// HMAC-SHA256(secret, "mesh node key v1:" + node id), so a node can sign only for itself and never holds
/// a key that mints root tokens. Each secret generation has a short fingerprint that goes into the
/// token's <c>kid</c> ("r.&lt;fp&gt;" for root, "n.&lt;fp&gt;.&lt;node id&gt;" for a node), which is how
/// <c>previous_secrets</c> keep validating during a rotation.
/// </summary>
public sealed class SigningKeyRing : ICallTokenKeys
{
    private const string NodeKeyLabel = "mesh node key v1:";
    private readonly Dictionary<string, byte[]> _generations;

    public SigningKeyRing(Secret current, IEnumerable<Secret> previous)
    {
        CurrentSecret = current.RevealBytes();
        CurrentFingerprint = Fingerprint(CurrentSecret);
        _generations = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [CurrentFingerprint] = CurrentSecret };
        foreach (var secret in previous)
            _generations.TryAdd(Fingerprint(secret.RevealBytes()), secret.RevealBytes());
    }

    internal byte[] CurrentSecret { get; }

    /// <summary>Hex fingerprint of the current secret generation (not secret: a hash prefix).</summary>
    public string CurrentFingerprint { get; }

    public string RootKeyId => $"r.{CurrentFingerprint}";

    public static string NodeKeyId(string fingerprint, string nodeId) => $"n.{fingerprint}.{nodeId}";

    /// <summary>The key a node signs with, handed to it at enrollment and renewal.</summary>
    public NodeSigningKey DeriveNodeKey(string nodeId) =>
        new(NodeKeyId(CurrentFingerprint, nodeId), Derive(CurrentSecret, nodeId));

    /// <summary>Resolves a token's kid to its key and the node it belongs to (null for root keys).</summary>
    public bool TryResolve(string? keyId, out byte[] key, out string? nodeId)
    {
        key = [];
        nodeId = null;
        if (string.IsNullOrEmpty(keyId))
            return false;

        var parts = keyId.Split('.', 3);
        if (parts is ["r", var rootFp] && _generations.TryGetValue(rootFp, out var root))
        {
            key = root;
            return true;
        }

        if (parts is ["n", var fp, var node] && node.Length > 0 && _generations.TryGetValue(fp, out var secret))
        {
            key = Derive(secret, node);
            nodeId = node;
            return true;
        }

        return false;
    }

    private static byte[] Derive(byte[] secret, string nodeId) =>
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(NodeKeyLabel + nodeId));

    private static string Fingerprint(byte[] secret) => Convert.ToHexStringLower(SHA256.HashData(secret).AsSpan(0, 6));
}

/// <summary>
/// A node's own signing key and its kid (n.&lt;fingerprint&gt;.&lt;node id&gt;). The bytes are secret. As the keys of a
/// node's token validator it resolves only itself: the node accepts tokens it signed, and nothing else.
/// </summary>
public sealed record NodeSigningKey(string KeyId, byte[] Key) : ICallTokenKeys
{
    public bool TryResolve(string? keyId, out byte[] key, out string? nodeId)
    {
        var mine = string.Equals(keyId, KeyId, StringComparison.Ordinal) && KeyId.Split('.', 3) is ["n", _, { Length: > 0 } node];
        key = mine ? Key : [];
        nodeId = mine ? KeyId.Split('.', 3)[2] : null;
        return mine;
    }

    public override string ToString() => $"NodeSigningKey {{ KeyId = {KeyId} }}";
}
