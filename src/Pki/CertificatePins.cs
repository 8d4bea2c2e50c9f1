using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Mesh.Pki;

/// <summary>CA pins: "sha256:" + lowercase hex SHA-256 of the SubjectPublicKeyInfo DER (as kubeadm's discovery hash).</summary>
public static class CertificatePins
{
    public const string Prefix = "sha256:";

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdef");

    public static string ComputeSpkiPin(X509Certificate2 cert)
    {
        var spki = cert.PublicKey.ExportSubjectPublicKeyInfo();
        return Prefix + Convert.ToHexStringLower(SHA256.HashData(spki));
    }

    /// <summary>True for a syntactically valid pin: "sha256:" followed by 64 hex digits.</summary>
    public static bool IsWellFormed(string? pin)
    {
        if (pin is null)
            return false;
        var normalized = Normalize(pin);
        return normalized.Length == Prefix.Length + 64 && !normalized.AsSpan(Prefix.Length).ContainsAnyExcept(HexDigits);
    }

    /// <summary>Constant-time comparison, ignoring case and surrounding spaces; a missing "sha256:" prefix is assumed.</summary>
    public static bool PinEquals(string a, string b)
    {
        var x = Encoding.ASCII.GetBytes(Normalize(a ?? string.Empty));
        var y = Encoding.ASCII.GetBytes(Normalize(b ?? string.Empty));
        return CryptographicOperations.FixedTimeEquals(x, y);
    }

    private static string Normalize(string pin)
    {
        var trimmed = pin.Trim().ToLowerInvariant();
        return trimmed.StartsWith(Prefix, StringComparison.Ordinal) ? trimmed : Prefix + trimmed;
    }
}
