using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Pki.Internal;

/// <summary>Builds end-entity certificates signed by the CA key: CA:FALSE, AKI/SKI, random serial, backdated notBefore.</summary>
internal static class LeafBuilder
{
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>Clock skew allowance between hub and nodes.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    public static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive INTEGER
        if (serial[0] == 0)
            serial[0] = 0x40; // keep 16 significant bytes
        return serial;
    }

    public static X509Certificate2 Build(
        X509Certificate2 caCertificate,
        AsymmetricAlgorithm caKey,
        X500DistinguishedName subject,
        PublicKey publicKey,
        IReadOnlyList<string> dnsNames,
        IReadOnlyList<IPAddress> ipAddresses,
        string? uri,
        DateTimeOffset now,
        TimeSpan lifetime)
    {
        if (lifetime <= TimeSpan.Zero)
            throw new PkiException($"certificate lifetime must be positive (got {lifetime})");

        var request = new CertificateRequest(subject, publicKey, Keys.SignatureHash(caKey));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var usage = publicKey.Oid.Value == Keys.RsaOid
            ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment
            : X509KeyUsageFlags.DigitalSignature;
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            new OidCollection { new Oid(ServerAuthOid), new Oid(ClientAuthOid) }, false));

        if (uri is not null || dnsNames.Count > 0 || ipAddresses.Count > 0)
            request.CertificateExtensions.Add(SubjectAltNames.Encode(uri is null ? [] : [uri], dnsNames, ipAddresses));

        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caCertificate, true, false));

        var notBefore = now - Backdate;
        var notAfter = now + lifetime;
        if (notAfter > caCertificate.NotAfter.ToUniversalTime())
            notAfter = new DateTimeOffset(caCertificate.NotAfter.ToUniversalTime());
        if (notBefore < caCertificate.NotBefore.ToUniversalTime())
            notBefore = new DateTimeOffset(caCertificate.NotBefore.ToUniversalTime());
        if (notAfter <= notBefore)
            throw new PkiException($"the CA certificate expired at {caCertificate.NotAfter.ToUniversalTime():u}; it cannot issue certificates");

        return request.Create(caCertificate.SubjectName, Keys.SignatureGenerator(caKey), notBefore, notAfter, NewSerial());
    }
}
