using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using Mesh.Pki.Internal;

namespace Mesh.Pki;

public sealed partial class CertificateAuthority
{
    public static readonly TimeSpan DefaultCrlValidity = TimeSpan.FromDays(7);

    /// <summary>
    /// Signs an X.509 v2 CRL (DER) holding every entry of <paramref name="revocations"/>; thisUpdate = now,
    /// nextUpdate = now + <paramref name="validity"/> (7 days by default). A reason that names an
    /// <see cref="X509RevocationReason"/> (e.g. "KeyCompromise") is carried as the CRL reason code.
    /// </summary>
    public byte[] BuildCrl(RevocationList revocations, BigInteger crlNumber, TimeSpan? validity = null)
    {
        ArgumentNullException.ThrowIfNull(revocations);
        var builder = new CertificateRevocationListBuilder();
        foreach (var entry in revocations.Entries)
            builder.AddEntry(RevocationList.SerialBytes(entry.SerialHex), entry.RevokedAt, RevocationList.ParseReason(entry.Reason));
        var now = _time.GetUtcNow();
        return builder.Build(_certificateWithKey, crlNumber, now + (validity ?? DefaultCrlValidity), Keys.SignatureHash(_key), null, now);
    }

    public string BuildCrlPem(RevocationList revocations, BigInteger crlNumber, TimeSpan? validity = null) =>
        Pem.Write("X509 CRL", BuildCrl(revocations, crlNumber, validity));
}
