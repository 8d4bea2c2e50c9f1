using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Pki.Tests.Support;

/// <summary>A CA built directly with CertificateRequest, to sign certificates that Mesh itself never issues.</summary>
internal sealed class HandmadeCa : IDisposable
{
    public HandmadeCa(string clusterId, DateTimeOffset? now = null)
    {
        var t = now ?? DateTimeOffset.UtcNow;
        Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=Handmade CA, O={clusterId}", Key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(t.AddDays(-1), t.AddYears(1));
    }

    public ECDsa Key { get; }
    public X509Certificate2 Certificate { get; }

    public X509Certificate2 Sign(string subject, DateTimeOffset notBefore, DateTimeOffset notAfter, string[] ekus, string? uri = null, string? dns = null)
    {
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, leafKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var oids = new OidCollection();
        foreach (var eku in ekus)
            oids.Add(new Oid(eku));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        if (uri is not null || dns is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            if (uri is not null)
                san.AddUri(new Uri(uri));
            if (dns is not null)
                san.AddDnsName(dns);
            request.CertificateExtensions.Add(san.Build());
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        using var cert = request.Create(Certificate, notBefore, notAfter, RandomNumberGenerator.GetBytes(8));
        return X509CertificateLoader.LoadCertificate(cert.RawData);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        Key.Dispose();
    }
}
