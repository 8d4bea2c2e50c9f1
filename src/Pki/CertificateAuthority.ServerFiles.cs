using System.Security.Cryptography.X509Certificates;
using Mesh.Pki.Internal;

namespace Mesh.Pki;

public sealed partial class CertificateAuthority
{
    public const string ServerCertificateFileName = "hub.crt";
    public const string ServerKeyFileName = "hub.key";

    /// <summary>
    /// The hub's server certificate from cert_dir: hub.crt + hub.key are reused when this CA issued them, they cover
    /// every name (plus localhost/127.0.0.1/::1) and more than a third of their lifetime is left; otherwise a new one is
    /// issued and both files are written atomically (key 0600). A group/world-readable hub.key is refused, not replaced.
    /// </summary>
    public X509Certificate2 LoadOrIssueServerCertificate(string certDir, IEnumerable<string> names, TimeSpan? lifetime = null)
    {
        var wanted = names.ToList();
        var (dns, ips) = HostNames.Classify(wanted.Concat(["localhost", "127.0.0.1", "::1"]), "server certificate names");
        var certPath = Path.Combine(certDir, ServerCertificateFileName);
        var keyPath = Path.Combine(certDir, ServerKeyFileName);
        if (File.Exists(certPath) && File.Exists(keyPath))
        {
            KeyFiles.EnsurePrivate(keyPath);
            var existing = TryLoad(certPath, keyPath);
            if (existing is not null && IsReusable(existing, dns.Concat(ips.Select(ip => ip.ToString()))))
                return existing;
            existing?.Dispose();
        }

        KeyFiles.EnsureDirectory(certDir);
        var issued = IssueServerCertificate(wanted, lifetime);
        try
        {
            KeyFiles.WriteCertificateAndKey(certPath, keyPath, issued);
            return issued;
        }
        catch
        {
            issued.Dispose();
            throw;
        }
    }

    private static X509Certificate2? TryLoad(string certPath, string keyPath)
    {
        try
        {
            return KeyFiles.LoadCertificateWithKey(certPath, keyPath);
        }
        catch (PkiException)
        {
            return null; // damaged or mismatched: the hub's own files are simply issued again
        }
    }

    private bool IsReusable(X509Certificate2 cert, IEnumerable<string> hosts)
    {
        using var validator = new CertificateValidator(Certificate, _time);
        if (hosts.Any(host => !validator.ValidateServer(cert, host).IsValid))
            return false;
        var notBefore = new DateTimeOffset(cert.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(cert.NotAfter.ToUniversalTime());
        return _time.GetUtcNow() < notAfter - ((notAfter - notBefore) / 3);
    }
}
