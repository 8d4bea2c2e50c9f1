using System.Buffers;

namespace Mesh.Core.Configuration;

/// <summary>Node and actor ids: 2-64 characters of [A-Za-z0-9._-].</summary>
public static class NodeIds
{
    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    public static bool IsValid(string id, out string error)
    {
        if (id.Length is < 2 or > 64)
        {
            error = $"'{id}' is {id.Length} characters long; an id has 2 to 64 characters of [A-Za-z0-9._-].";
            return false;
        }

        var bad = id.AsSpan().IndexOfAnyExcept(Allowed);
        if (bad >= 0)
        {
            error = $"'{id}' contains '{id[bad]}' at position {bad + 1}; an id may use only letters, digits, '.', '_' and '-'.";
            return false;
        }

        error = string.Empty;
        return true;
    }

    /// <summary>The embedded node's id when [server] node_id does not say otherwise.</summary>
    public const string EmbeddedNodeDefault = "main";

    /// <summary>
    /// Ids the hub uses for itself: "hub" (actors placed on the hub, the hub's own certificate), "root" (the root
    /// operator) and "main" (the hub's embedded node). No node may enroll, be registered or be configured under
    /// them, in any letter case; only the hub's own embedded node takes "main".
    /// </summary>
    public static IReadOnlyList<string> Reserved { get; } = ["hub", "root", EmbeddedNodeDefault];

    public static bool IsReserved(string id) => Reserved.Contains(id, StringComparer.OrdinalIgnoreCase);

    /// <summary>A valid id that is not reserved: what a node that is not the hub's own may be called.</summary>
    public static bool IsValidForNode(string id, out string error)
    {
        if (!IsValid(id, out error))
            return false;
        if (!IsReserved(id))
            return true;
        error = ReservedMessage(id);
        return false;
    }

    public static string ReservedMessage(string id) =>
        $"node id '{id}' is reserved for the hub itself ({string.Join(", ", Reserved)}); choose another id.";
}

/// <summary>Capability tags: 1-64 characters of [A-Za-z0-9._:/-].</summary>
public static class Capabilities
{
    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:/-");

    public static bool IsValid(string tag) => tag.Length is >= 1 and <= 64 && !tag.AsSpan().ContainsAnyExcept(Allowed);
}

/// <summary>The hub's internal gRPC address as a node dials it: https://host:port.</summary>
public static class HubTargets
{
    public static bool TryParse(string text, out Uri? uri, out string error)
    {
        uri = null;
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            error = $"address '{text}' has no scheme. Use 'https://{text}'.";
            return false;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || string.IsNullOrEmpty(parsed.Host))
        {
            error = $"'{text}' is not a valid URL. Use https://host:port, e.g. 'https://hub.example.com:50051'.";
            return false;
        }

        if (parsed.Scheme != Uri.UriSchemeHttps)
        {
            error = $"'{text}' uses {parsed.Scheme}; the internal API is always TLS. Use 'https://{parsed.Authority}'.";
            return false;
        }

        if (parsed.AbsolutePath != "/" || parsed.Query.Length > 0 || parsed.Fragment.Length > 0 || parsed.UserInfo.Length > 0)
        {
            error = $"'{text}' has a path, query or user part; use only https://host:port.";
            return false;
        }

        if (parsed.IsDefaultPort && !text.TrimEnd('/').EndsWith(":443", StringComparison.Ordinal))
        {
            error = $"'{text}' has no port. Add the hub's internal gRPC port, e.g. 'https://{parsed.Host}:50051'.";
            return false;
        }

        uri = parsed;
        error = string.Empty;
        return true;
    }
}

/// <summary>
/// Rejects secrets an attacker could guess: fewer than 32 bytes, or text whose character
/// distribution carries under 128 bits (repeated or dictionary-like strings).
/// </summary>
public static class SecretStrength
{
    public const int MinimumBytes = 32;
    private const double MinimumBits = 128;

    public static bool IsStrong(string secret, out string reason)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(secret);
        if (bytes < MinimumBytes)
        {
            reason = $"it is {bytes} bytes long; at least {MinimumBytes} bytes are required.";
            return false;
        }

        var bits = EstimatedBits(secret);
        if (bits < MinimumBits)
        {
            reason = $"it has about {bits:0} bits of entropy (too repetitive); at least {MinimumBits:0} are required.";
            return false;
        }

        reason = string.Empty;
        return true;
    }

    // Shannon entropy of the character distribution times the length: a rough upper bound that still
    // catches "aaaa…" and "abababab…" while passing random base64, hex or passphrase-like text.
    private static double EstimatedBits(string secret)
    {
        var counts = new Dictionary<char, int>();
        foreach (var c in secret)
            counts[c] = counts.GetValueOrDefault(c) + 1;
        double perChar = 0;
        foreach (var count in counts.Values)
        {
            var p = (double)count / secret.Length;
            perChar -= p * Math.Log2(p);
        }

        return perChar * secret.Length;
    }
}
