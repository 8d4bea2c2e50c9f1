using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Mesh.Core.Join;

/// <summary>
/// A join token: <c>mesh1.&lt;id&gt;.&lt;secret&gt;.&lt;ca-pin&gt;</c>.
/// <list type="bullet">
/// <item><c>mesh1</c>: format version.</item>
/// <item>id: public, 12 lowercase hex digits for one-time tokens, or <c>cluster</c> for the cluster bootstrap token.</item>
/// <item>secret: 32 random bytes, base64url (43 characters); the hub stores only its SHA-256.</item>
/// <item>ca-pin: SHA-256 of the hub CA's SubjectPublicKeyInfo, 64 lowercase hex digits; the node refuses a hub whose CA does not match.</item>
/// </list>
/// </summary>
public sealed record JoinToken(string Id, string Secret, string CaPin)
{
    public const string Version = "mesh1";
    public const string ClusterTokenId = "cluster";

    private static readonly SearchValues<char> Base64UrlChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    public bool IsClusterToken => Id == ClusterTokenId;

    /// <summary>The pin in the form Mesh.Pki uses ("sha256:&lt;hex&gt;").</summary>
    public string PkiPin => "sha256:" + CaPin;

    public static JoinToken CreateOneTime(string caPin) =>
        new(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), NewSecret(), NormalizePin(caPin));

    public static string NewSecret() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>SHA-256 of the secret: what the hub stores and compares (in constant time).</summary>
    public static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static string NormalizePin(string pin) =>
        (pin.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) ? pin[7..] : pin).ToLowerInvariant();

    public static bool TryParse(string? text, [NotNullWhen(true)] out JoinToken? token, out string error)
    {
        token = null;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "join token is empty";
            return false;
        }

        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            error = $"join token is malformed: expected {Version}.<id>.<secret>.<ca-pin> (4 parts separated by '.'), got {parts.Length} part(s)";
            return false;
        }

        if (parts[0] != Version)
        {
            error = $"join token version '{Truncate(parts[0])}' is not supported (expected '{Version}'); create a new token on the hub";
            return false;
        }

        var id = parts[1];
        if (id != ClusterTokenId && (id.Length != 12 || id.AsSpan().ContainsAnyExcept(LowerHex)))
        {
            error = "join token id is malformed (expected 12 lowercase hex digits or 'cluster')";
            return false;
        }

        if (parts[2].Length < 32 || parts[2].AsSpan().ContainsAnyExcept(Base64UrlChars))
        {
            error = "join token secret is malformed (expected at least 32 base64url characters)";
            return false;
        }

        if (parts[3].Length != 64 || parts[3].AsSpan().ContainsAnyExcept(LowerHex))
        {
            error = "join token CA pin is malformed (expected 64 lowercase hex digits: the SHA-256 of the hub CA's public key)";
            return false;
        }

        token = new JoinToken(id, parts[2], parts[3]);
        error = string.Empty;
        return true;
    }

    /// <summary>The full token string, secret included: only for showing it once to the operator who created it.</summary>
    public string Format() => $"{Version}.{Id}.{Secret}.{CaPin}";

    /// <summary>Safe for logs: the secret is left out.</summary>
    public override string ToString() => $"{Version}.{Id}.(secret).{CaPin}";

    private static string Truncate(string s) => s.Length <= 16 ? s : s[..16] + "…";
}
