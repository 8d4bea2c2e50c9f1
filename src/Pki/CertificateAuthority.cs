using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Pki.Internal;

namespace Mesh.Pki;

/// <summary>The hub's certificate authority: one key (ECDSA P-256 by default) that signs server and node certificates.</summary>
public sealed partial class CertificateAuthority : IDisposable
{
    public const string CertificateFileName = "ca.crt";
    public const string KeyFileName = "ca.key";
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(3652);
    public static readonly TimeSpan DefaultNodeLifetime = TimeSpan.FromHours(24);
    public static readonly TimeSpan DefaultServerLifetime = TimeSpan.FromDays(365);

    private const string OrganizationOid = "2.5.4.10";

    private readonly AsymmetricAlgorithm _key;
    private readonly TimeProvider _time;
    private readonly X509Certificate2 _certificateWithKey;

    private CertificateAuthority(X509Certificate2 certificate, AsymmetricAlgorithm key, string clusterId, TimeProvider time)
    {
        Certificate = X509CertificateLoader.LoadCertificate(certificate.RawData);
        _key = key;
        _time = time;
        ClusterId = clusterId;
        Pin = CertificatePins.ComputeSpkiPin(Certificate);
        CertificatePem = Pem.Write("CERTIFICATE", Certificate.RawData);
        _certificateWithKey = Keys.CopyWithKey(Certificate, key);
    }

    public string ClusterId { get; }

    /// <summary>The CA certificate, public part only.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate as PEM (the bundle handed to nodes).</summary>
    public string CertificatePem { get; }

    /// <summary>"sha256:" + lowercase hex SHA-256 of the CA's SubjectPublicKeyInfo DER.</summary>
    public string Pin { get; }

    /// <summary>
    /// A new CA: ECDSA P-256, CN "Mesh CA &lt;clusterId&gt;", O=&lt;clusterId&gt;, CA:TRUE pathlen 0,
    /// keyCertSign|cRLSign, SKI, valid 10 years unless <paramref name="lifetime"/> says otherwise.
    /// </summary>
    public static CertificateAuthority Create(string clusterId, TimeProvider? time = null, TimeSpan? lifetime = null)
    {
        NodeIdentity.EnsureValidClusterId(clusterId);
        time ??= TimeProvider.System;
        var validity = lifetime ?? DefaultLifetime;
        if (validity <= TimeSpan.Zero)
            throw new PkiException($"CA lifetime must be positive (got {validity})");

        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            var name = new X500DistinguishedNameBuilder();
            // The builder encodes in reverse order: this gives the conventional "O = <cluster>, CN = Mesh CA <cluster>".
            name.AddCommonName("Mesh CA " + clusterId);
            name.AddOrganizationName(clusterId);
            var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

            var now = time.GetUtcNow();
            using var selfSigned = request.CreateSelfSigned(now - LeafBuilder.Backdate, now + validity);
            return new CertificateAuthority(selfSigned, key, clusterId, time);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Loads a CA from PEM text; checks that the key matches, that it is a CA, that it has not expired, and reads the cluster id from O=.</summary>
    public static CertificateAuthority Load(string certPem, string keyPem, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var certificate = Certificates.ReadPem(certPem, "CA certificate");
        var key = Keys.ReadPrivateKey(keyPem, "CA private key");
        try
        {
            if (!CryptographicOperations.FixedTimeEquals(Keys.SubjectPublicKeyInfo(key), certificate.PublicKey.ExportSubjectPublicKeyInfo()))
                throw new PkiException("CA private key does not match the CA certificate's public key");
            var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
            if (constraints is not { CertificateAuthority: true })
                throw new PkiException($"certificate '{certificate.Subject}' is not a CA certificate (basicConstraints CA:TRUE missing)");
            var now = time.GetUtcNow();
            if (now > certificate.NotAfter.ToUniversalTime())
                throw new PkiException($"CA certificate expired at {certificate.NotAfter.ToUniversalTime():u}; remove ca.crt and ca.key to create a new CA (every node must then join again)");
            var clusterId = ReadClusterId(certificate);
            return new CertificateAuthority(certificate, key, clusterId, time);
        }
        catch
        {
            key.Dispose();
            throw;
        }
        finally
        {
            certificate.Dispose();
        }
    }

    /// <summary>
    /// Loads ca.crt + ca.key from <paramref name="certDir"/>, or creates them (key mode 0600) when neither exists.
    /// Refuses a group/world-readable key and a directory holding only one of the two files.
    /// </summary>
    public static CertificateAuthority LoadOrCreate(string certDir, string clusterIdIfNew, TimeProvider? time = null)
    {
        var certPath = Path.Combine(certDir, CertificateFileName);
        var keyPath = Path.Combine(certDir, KeyFileName);
        var hasCert = File.Exists(certPath);
        var hasKey = File.Exists(keyPath);
        if (hasCert && hasKey)
        {
            KeyFiles.EnsurePrivate(keyPath);
            return Load(File.ReadAllText(certPath), File.ReadAllText(keyPath), time);
        }

        if (hasCert != hasKey)
        {
            var (present, missing) = hasCert ? (certPath, keyPath) : (keyPath, certPath);
            throw new PkiException($"{present} exists but {missing} is missing; restore the missing file, or remove {present} to create a new CA (every node must then join again)");
        }

        var ca = Create(clusterIdIfNew, time);
        try
        {
            KeyFiles.EnsureDirectory(certDir);
            KeyFiles.WriteAtomically(keyPath, Keys.ExportPrivateKeyPem(ca._key), isPrivate: true);
            KeyFiles.WriteAtomically(certPath, ca.CertificatePem, isPrivate: false);
            return ca;
        }
        catch
        {
            ca.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The hub's server certificate: a new P-256 key, the hub identity mesh://&lt;cluster&gt;/hub, <paramref name="names"/>
    /// (DNS names or IP literals) plus localhost, 127.0.0.1 and ::1; EKU serverAuth+clientAuth; returned with its private key, usable by Kestrel/SslStream.
    /// </summary>
    public X509Certificate2 IssueServerCertificate(IEnumerable<string> names, TimeSpan? lifetime = null)
    {
        var (dns, ips) = HostNames.Classify(names.Concat(["localhost", "127.0.0.1", "::1"]), "server certificate names");
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(dns.Count > 0 ? dns[0] : ips[0].ToString());
        subject.AddOrganizationName(ClusterId);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = LeafBuilder.Build(Certificate, _key, subject.Build(), new PublicKey(key), dns, ips, NodeIdentity.FormatHubUri(ClusterId), _time.GetUtcNow(), lifetime ?? DefaultServerLifetime);
        using var withKey = cert.CopyWithPrivateKey(key);
        return Keys.UsableForTls(withKey);
    }

    /// <summary>A node certificate with a new P-256 key (node profile, no extra names); for tests and the hub's embedded node.</summary>
    public X509Certificate2 IssueClientCertificate(string nodeId, TimeSpan? lifetime = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = IssueNode(new PublicKey(key), nodeId, [], [], lifetime ?? DefaultNodeLifetime);
        using var withKey = cert.CopyWithPrivateKey(key);
        return Keys.UsableForTls(withKey);
    }

    /// <summary>
    /// Signs a node's CSR after <see cref="CertificateSigningRequestInfo.EnsureAcceptableFor"/>: URI SAN
    /// mesh://&lt;cluster&gt;/node/&lt;nodeId&gt; plus the CSR's DNS/IP names, each of which <paramref name="names"/>
    /// must allow (none when it is null); EKU clientAuth+serverAuth, CA:FALSE. Returns the certificate only (the node keeps its key).
    /// </summary>
    public X509Certificate2 SignNodeCsr(CertificateSigningRequestInfo csr, string nodeId, TimeSpan lifetime, NodeCertificateNames? names = null)
    {
        csr.EnsureAcceptableFor(nodeId, ClusterId);
        (names ?? NodeCertificateNames.None).EnsureAllowed(nodeId, NodeCertificateNames.Of(csr.DnsNames, csr.IpAddresses));
        return IssueNode(csr.PublicKey, nodeId, csr.DnsNames, csr.IpAddresses, lifetime);
    }

    /// <summary>A client certificate that proves the hub itself (mesh://&lt;cluster&gt;/hub), e.g. when the hub dials a node.</summary>
    public X509Certificate2 IssueHubClientCertificate(TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName("hub");
        subject.AddOrganizationName(ClusterId);
        using var cert = LeafBuilder.Build(Certificate, _key, subject.Build(), new PublicKey(key), [], [], NodeIdentity.FormatHubUri(ClusterId), _time.GetUtcNow(), lifetime);
        using var withKey = cert.CopyWithPrivateKey(key);
        return Keys.UsableForTls(withKey);
    }

    private X509Certificate2 IssueNode(PublicKey publicKey, string nodeId, IReadOnlyList<string> dns, IReadOnlyList<System.Net.IPAddress> ips, TimeSpan lifetime)
    {
        var uri = NodeIdentity.FormatUri(ClusterId, nodeId);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(nodeId);
        subject.AddOrganizationName(ClusterId);
        return LeafBuilder.Build(Certificate, _key, subject.Build(), publicKey, dns, ips, uri, _time.GetUtcNow(), lifetime);
    }

    private static string ReadClusterId(X509Certificate2 certificate)
    {
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == OrganizationOid)
            {
                var value = rdn.GetSingleElementValue();
                if (!NodeIdentity.IsValidClusterId(value))
                    throw new PkiException($"CA certificate subject O='{value}' is not a valid cluster id");
                return value!;
            }
        }

        throw new PkiException($"CA certificate subject '{certificate.Subject}' has no O=<cluster-id>; it was not made by Mesh");
    }

    public void Dispose()
    {
        _certificateWithKey.Dispose();
        Certificate.Dispose();
        _key.Dispose();
    }
}
