using System.Security.Cryptography;

namespace Mesh.Pki.Internal;

/// <summary>PEM block extraction with messages that tell garbage, truncation and a wrong block type apart.</summary>
internal static class Pem
{
    public static byte[] ReadBlock(string? text, string what, params string[] labels)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new PkiException($"{what} is empty");

        var rest = text.AsSpan();
        var seen = new List<string>();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            if (labels.Contains(label, StringComparer.Ordinal))
            {
                var base64 = rest[fields.Base64Data];
                var buffer = new byte[fields.DecodedDataLength];
                if (!Convert.TryFromBase64Chars(base64, buffer, out var written))
                    throw new PkiException($"{what}: the base64 inside '-----BEGIN {label}-----' is invalid");
                return buffer[..written];
            }

            seen.Add(label);
            rest = rest[fields.Location.End..];
        }

        var expected = $"-----BEGIN {labels[0]}-----";
        foreach (var label in labels)
        {
            if (text.Contains($"-----BEGIN {label}-----", StringComparison.Ordinal))
                throw new PkiException($"{what} is truncated or damaged: '-----BEGIN {label}-----' has no matching '-----END {label}-----' line, or the base64 between them is invalid");
        }

        if (seen.Count > 0)
            throw new PkiException($"{what} holds a '{string.Join("', '", seen)}' PEM block but no {expected} block");
        throw new PkiException($"{what} is not PEM: no {expected} line found");
    }

    public static string Write(string label, ReadOnlySpan<byte> der) => new string(PemEncoding.Write(label, der)) + "\n";
}
