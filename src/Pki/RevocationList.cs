using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Pki;

/// <summary>
/// Deny-list of revoked certificate serials, thread-safe. Callers persist it (<see cref="ToJson"/> / <see cref="FromJson"/>)
/// and prune entries whose certificate has expired anyway. <see cref="CertificateAuthority.BuildCrl"/> exports it as an X.509 CRL.
/// </summary>
public sealed class RevocationList
{

    private readonly Lock _gate = new();
    private readonly Dictionary<string, RevocationEntry> _entries = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (_gate)
                return _entries.Count;
        }
    }

    /// <summary>A snapshot, oldest revocation first.</summary>
    public IReadOnlyList<RevocationEntry> Entries
    {
        get
        {
            lock (_gate)
                return [.. _entries.Values.OrderBy(e => e.RevokedAt).ThenBy(e => e.SerialHex, StringComparer.Ordinal)];
        }
    }

    /// <summary>Adds (or replaces) an entry. <paramref name="serialHex"/> may carry colons, spaces, a 0x prefix or leading zeros.</summary>
    public void Revoke(string serialHex, DateTimeOffset certificateNotAfter, DateTimeOffset revokedAt, string reason)
    {
        var serial = NormalizeSerial(serialHex);
        var entry = new RevocationEntry(serial, certificateNotAfter.ToUniversalTime(), revokedAt.ToUniversalTime(), reason ?? string.Empty);
        lock (_gate)
            _entries[serial] = entry;
    }

    public void Revoke(X509Certificate2 certificate, DateTimeOffset revokedAt, string reason) =>
        Revoke(certificate.SerialNumber, new DateTimeOffset(certificate.NotAfter.ToUniversalTime()), revokedAt, reason);

    public bool IsRevoked(string serialHex)
    {
        var serial = NormalizeSerial(serialHex);
        lock (_gate)
            return _entries.ContainsKey(serial);
    }

    public bool IsRevoked(X509Certificate2 cert) => IsRevoked(cert.SerialNumber);

    public bool Remove(string serialHex)
    {
        var serial = NormalizeSerial(serialHex);
        lock (_gate)
            return _entries.Remove(serial);
    }

    /// <summary>Drops entries whose certificate expired before <paramref name="now"/> (validation rejects those by date); returns how many.</summary>
    public int Prune(DateTimeOffset now)
    {
        lock (_gate)
        {
            var expired = _entries.Values.Where(e => e.CertificateNotAfter < now).Select(e => e.SerialHex).ToList();
            foreach (var serial in expired)
                _entries.Remove(serial);
            return expired.Count;
        }
    }

    public string ToJson()
    {
        var document = new Document(1, [.. Entries.Select(e => new DocumentEntry(e.SerialHex, e.CertificateNotAfter, e.RevokedAt, e.Reason))]);
        return JsonSerializer.Serialize(document, RevocationListJson.Default.Document);
    }

    /// <summary>Reads <see cref="ToJson"/> output; throws <see cref="PkiException"/> naming what is wrong.</summary>
    public static RevocationList FromJson(string json)
    {
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize(json, RevocationListJson.Default.Document);
        }
        catch (JsonException ex)
        {
            throw new PkiException($"revocation list is not valid JSON: {ex.Message}", ex);
        }

        if (document is null)
            throw new PkiException("revocation list is empty (null)");
        if (document.Version != 1)
            throw new PkiException($"revocation list version {document.Version} is not supported (expected 1)");
        var list = new RevocationList();
        var index = 0;
        foreach (var entry in document.Entries ?? [])
        {
            if (entry?.Serial is null)
                throw new PkiException($"revocation list entry {index} has no serial");
            try
            {
                list.Revoke(entry.Serial, entry.NotAfter, entry.RevokedAt, entry.Reason ?? string.Empty);
            }
            catch (PkiException ex)
            {
                throw new PkiException($"revocation list entry {index}: {ex.Message}", ex);
            }

            index++;
        }

        return list;
    }

    internal static string NormalizeSerial(string serialHex)
    {
        ArgumentNullException.ThrowIfNull(serialHex);
        var text = serialHex.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            text = text[2..];
        text = text.Replace(":", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        if (text.Length == 0 || text.Length > 64 || !text.All(char.IsAsciiHexDigit))
            throw new PkiException($"certificate serial '{serialHex}' is not a hex number of at most 32 bytes");
        text = text.TrimStart('0');
        return text.Length == 0 ? "0" : text;
    }

    internal static byte[] SerialBytes(string normalizedHex)
    {
        var hex = normalizedHex.Length % 2 == 1 ? "0" + normalizedHex : normalizedHex;
        var bytes = Convert.FromHexString(hex);
        // A serial is a positive INTEGER: a leading byte with the top bit set needs a 0x00 in front.
        return bytes[0] >= 0x80 ? [0, .. bytes] : bytes;
    }

    internal static X509RevocationReason? ParseReason(string reason) =>
        Enum.TryParse<X509RevocationReason>(reason.Replace(" ", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var parsed)
            && Enum.IsDefined(parsed) && !int.TryParse(reason, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
            ? parsed
            : null;

    internal sealed record Document(
        [property: JsonPropertyName("version")] int Version,
        [property: JsonPropertyName("entries")] List<DocumentEntry>? Entries);

    internal sealed record DocumentEntry(
        [property: JsonPropertyName("serial")] string? Serial,
        [property: JsonPropertyName("notAfter")] DateTimeOffset NotAfter,
        [property: JsonPropertyName("revokedAt")] DateTimeOffset RevokedAt,
        [property: JsonPropertyName("reason")] string? Reason);
}

/// <summary>The revocation list's JSON, generated at build time (no reflection: the actor CLI is compiled ahead of time).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RevocationList.Document))]
internal sealed partial class RevocationListJson : JsonSerializerContext;
