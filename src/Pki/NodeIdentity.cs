using System.Security.Cryptography.X509Certificates;
using Mesh.Pki.Internal;

namespace Mesh.Pki;

/// <summary>The node identity carried in a URI SAN: <c>mesh://&lt;cluster-id&gt;/node/&lt;node-id&gt;</c>.</summary>
public static class NodeIdentity
{
    public const string Scheme = "mesh";
    private const string Prefix = "mesh://";
    private const string NodeSegment = "/node/";

    /// <summary>Cluster and node ids: 1–63 (cluster) / 1–128 (node) characters of [A-Za-z0-9._-], not starting with '.' or '-'.</summary>
    public static bool IsValidClusterId(string? clusterId) => IsValidId(clusterId, 63);

    public static bool IsValidNodeId(string? nodeId) => IsValidId(nodeId, 128);

    private const string HubSuffix = "/hub";

    /// <summary>The hub's own identity, carried only by certificates the CA issues to the hub: mesh://&lt;cluster&gt;/hub.</summary>
    public static string FormatHubUri(string clusterId)
    {
        EnsureValidClusterId(clusterId);
        return Prefix + clusterId + HubSuffix;
    }

    /// <summary>True when the certificate carries the hub identity of <paramref name="clusterId"/> and no node identity.</summary>
    public static bool IsHubCertificate(X509Certificate2 cert, string clusterId)
    {
        var uris = SubjectAltNames.Read(cert.Extensions).Uris;
        return uris.Contains(FormatHubUri(clusterId), StringComparer.Ordinal) && !TryGetNodeId(cert, out _, out _);
    }

    public static string FormatUri(string clusterId, string nodeId)
    {
        EnsureValidClusterId(clusterId);
        EnsureValidNodeId(nodeId);
        return Prefix + clusterId + NodeSegment + nodeId;
    }

    /// <summary>Parses <c>mesh://&lt;cluster&gt;/node/&lt;id&gt;</c>; false for anything else (other schemes, extra segments, bad ids).</summary>
    public static bool TryParseUri(string? uri, out string clusterId, out string nodeId)
    {
        clusterId = string.Empty;
        nodeId = string.Empty;
        if (uri is null || !uri.StartsWith(Prefix, StringComparison.Ordinal))
            return false;
        var rest = uri.AsSpan(Prefix.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0)
            return false;
        var cluster = rest[..slash].ToString();
        var tail = rest[slash..];
        if (!tail.StartsWith(NodeSegment, StringComparison.Ordinal))
            return false;
        var node = tail[NodeSegment.Length..].ToString();
        if (!IsValidClusterId(cluster) || !IsValidNodeId(node))
            return false;
        clusterId = cluster;
        nodeId = node;
        return true;
    }

    /// <summary>Reads the node identity from the certificate's URI SANs. False when there is none, or more than one mesh:// URI.</summary>
    public static bool TryGetNodeId(X509Certificate2 cert, out string clusterId, out string nodeId)
    {
        clusterId = string.Empty;
        nodeId = string.Empty;
        var found = 0;
        foreach (var uri in SubjectAltNames.Read(cert.Extensions).Uris)
        {
            if (!uri.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || uri.EndsWith(HubSuffix, StringComparison.Ordinal))
                continue;
            if (!TryParseUri(uri, out var c, out var n))
                return false;
            (clusterId, nodeId) = (c, n);
            found++;
        }

        if (found == 1)
            return true;
        clusterId = string.Empty;
        nodeId = string.Empty;
        return false;
    }

    internal static void EnsureValidClusterId(string clusterId)
    {
        if (!IsValidClusterId(clusterId))
            throw new PkiException($"cluster id '{clusterId}' is invalid: use 1-63 characters of letters, digits, '.', '_' or '-', not starting with '.' or '-'");
    }

    internal static void EnsureValidNodeId(string nodeId)
    {
        if (!IsValidNodeId(nodeId))
            throw new PkiException($"node id '{nodeId}' is invalid: use 1-128 characters of letters, digits, '.', '_' or '-', not starting with '.' or '-'");
    }

    private static bool IsValidId(string? id, int maxLength)
    {
        if (string.IsNullOrEmpty(id) || id.Length > maxLength || id[0] is '.' or '-')
            return false;
        foreach (var ch in id)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-'))
                return false;
        }

        return true;
    }
}
