using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Pki.Internal;

namespace Mesh.Pki;

/// <summary>A parsed PKCS#10 CSR whose self-signature has been verified.</summary>
public sealed class CertificateSigningRequestInfo
{
    public const int MaxPemLength = 64 * 1024;
    public const int MaxNames = 32;
    public const int MaxRsaBits = 8192;

    private const string CommonNameOid = "2.5.4.3";

    private readonly SubjectAltNames _san;

    private CertificateSigningRequestInfo(CertificateRequest request, SubjectAltNames san, string? commonName)
    {
        _san = san;
        PublicKey = request.PublicKey;
        CommonName = commonName;
        DnsNames = san.DnsNames.AsReadOnly();
        IpAddresses = san.IpAddresses.AsReadOnly();
        Uris = san.Uris.AsReadOnly();
        KeyDescription = DescribeKey(request.PublicKey);
        var constraints = request.CertificateExtensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        RequestsCertificateAuthority = constraints is { CertificateAuthority: true };
        var usage = request.CertificateExtensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        RequestsCertificateSigning = usage is not null && (usage.KeyUsages & (X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign)) != 0;

        var meshUris = san.Uris.Where(u => u.StartsWith("mesh:", StringComparison.OrdinalIgnoreCase)).ToList();
        if (meshUris.Count == 1 && NodeIdentity.TryParseUri(meshUris[0], out var cluster, out var node))
        {
            RequestedClusterId = cluster;
            RequestedNodeId = node;
        }
        else
        {
            RequestedNodeId = commonName;
        }
    }

    /// <summary>The node id the CSR asks for: from its mesh:// URI SAN, else its CN; null when it names none.</summary>
    public string? RequestedNodeId { get; }

    /// <summary>The cluster id of the CSR's mesh:// URI SAN, if it has one.</summary>
    public string? RequestedClusterId { get; }

    public string? CommonName { get; }
    public IReadOnlyList<string> DnsNames { get; }
    public IReadOnlyList<IPAddress> IpAddresses { get; }
    public IReadOnlyList<string> Uris { get; }
    public PublicKey PublicKey { get; }

    /// <summary>"ECDSA P-256", "RSA-2048", …</summary>
    public string KeyDescription { get; }

    public bool RequestsCertificateAuthority { get; }
    public bool RequestsCertificateSigning { get; }

    /// <summary>Parses a PEM CSR and verifies its self-signature; throws <see cref="PkiException"/> with a precise message.</summary>
    public static CertificateSigningRequestInfo Parse(string pem)
    {
        if (pem is not null && pem.Length > MaxPemLength)
            throw new PkiException($"CSR is {pem.Length} characters long; at most {MaxPemLength} are accepted");
        var der = Pem.ReadBlock(pem, "CSR", "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");

        CertificateRequest unverified;
        try
        {
            unverified = CertificateRequest.LoadSigningRequest(
                der, HashAlgorithmName.SHA256, out var consumed,
                CertificateRequestLoadOptions.SkipSignatureValidation | CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
            if (consumed != der.Length)
                throw new PkiException($"CSR has {der.Length - consumed} bytes of trailing data after the PKCS#10 structure");
        }
        catch (CryptographicException ex)
        {
            throw new PkiException($"CSR is not a valid PKCS#10 request (damaged or truncated DER): {ex.Message}", ex);
        }

        // Check the key type first: verifying a signature made with an unsupported algorithm would fail with a misleading message.
        var keyOid = unverified.PublicKey.Oid.Value;
        if (keyOid is not (Keys.EcPublicKeyOid or Keys.RsaOid))
            throw new PkiException($"CSR key algorithm {DescribeKey(unverified.PublicKey)} is not accepted; use ECDSA P-256, ECDSA P-384 or RSA of at least 2048 bits");

        CertificateRequest request;
        try
        {
            request = CertificateRequest.LoadSigningRequest(
                der, HashAlgorithmName.SHA256, out _, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (CryptographicException ex)
        {
            throw new PkiException("CSR signature does not verify with the public key the CSR carries: it was signed by a different key, or altered after signing", ex);
        }

        var san = SubjectAltNames.Read(request.CertificateExtensions);
        return new CertificateSigningRequestInfo(request, san, ReadCommonName(request.SubjectName));
    }

    /// <summary>Node side: a new ECDSA P-256 key and a CSR with CN=&lt;nodeId&gt; and the given DNS names / IP literals as SANs.</summary>
    public static (string Pem, AsymmetricAlgorithm Key) Create(string nodeId, IEnumerable<string> names)
    {
        NodeIdentity.EnsureValidNodeId(nodeId);
        var (dns, ips) = HostNames.Classify(names, "CSR names");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            var subject = new X500DistinguishedNameBuilder();
            subject.AddCommonName(nodeId);
            var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
            if (dns.Count > 0 || ips.Count > 0)
            {
                var san = new SubjectAlternativeNameBuilder();
                dns.ForEach(san.AddDnsName);
                ips.ForEach(san.AddIpAddress);
                request.CertificateExtensions.Add(san.Build());
            }

            return (request.CreateSigningRequestPem() + "\n", key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Throws unless the key is ECDSA P-256/P-384 or RSA ≥ 2048, no CA or certificate-signing rights are asked for, and the CN / URI SAN identity is <paramref name="nodeId"/> in <paramref name="clusterId"/>.</summary>
    public void EnsureAcceptableFor(string nodeId, string clusterId)
    {
        NodeIdentity.EnsureValidNodeId(nodeId);
        NodeIdentity.EnsureValidClusterId(clusterId);
        EnsureAcceptableKey();
        if (RequestsCertificateAuthority)
            throw new PkiException("CSR requests a CA certificate (basicConstraints CA:TRUE); node certificates are never CAs");
        if (RequestsCertificateSigning)
            throw new PkiException("CSR requests the keyCertSign/cRLSign key usage; node certificates cannot sign certificates");
        EnsureIdentity(nodeId, clusterId);
        EnsureNames();
    }

    private void EnsureAcceptableKey()
    {
        var accepted = PublicKey.Oid.Value switch
        {
            Keys.EcPublicKeyOid => KeyDescription is "ECDSA P-256" or "ECDSA P-384",
            Keys.RsaOid => RsaBits(PublicKey) is >= 2048 and <= MaxRsaBits,
            _ => false,
        };
        if (!accepted)
            throw new PkiException($"CSR key is {KeyDescription}; accepted keys are ECDSA P-256, ECDSA P-384 or RSA of 2048 to {MaxRsaBits} bits");
    }

    private void EnsureIdentity(string nodeId, string clusterId)
    {
        var expectedUri = NodeIdentity.FormatUri(clusterId, nodeId);
        foreach (var uri in _san.Uris)
        {
            if (!uri.StartsWith("mesh:", StringComparison.OrdinalIgnoreCase))
                throw new PkiException($"CSR requests the URI SAN '{uri}'; the only URI a node certificate carries is {expectedUri}");
            if (!string.Equals(uri, expectedUri, StringComparison.Ordinal))
                throw new PkiException($"CSR asks for the identity '{uri}' but this enrollment is for '{expectedUri}'");
        }

        if (CommonName is not null && !string.Equals(CommonName, nodeId, StringComparison.Ordinal))
            throw new PkiException($"CSR asks for the node identity CN='{CommonName}' but the node being enrolled is '{nodeId}'");
        if (CommonName is null && _san.Uris.Count == 0)
            throw new PkiException($"CSR carries no node identity: set its subject to CN={nodeId} (or add the URI SAN {expectedUri})");
    }

    private void EnsureNames()
    {
        if (_san.OtherKinds.Count > 0)
            throw new PkiException($"CSR requests a {_san.OtherKinds[0]} SAN; node certificates carry only DNS names, IP addresses and their mesh:// URI");
        if (DnsNames.Count + IpAddresses.Count > MaxNames)
            throw new PkiException($"CSR requests {DnsNames.Count + IpAddresses.Count} DNS/IP names; at most {MaxNames} are issued");
        foreach (var name in DnsNames)
        {
            if (name.Contains('*', StringComparison.Ordinal))
                throw new PkiException($"CSR requests the wildcard name '{name}'; node certificates are issued for exact names only");
            if (!HostNames.IsValidDnsName(name))
                throw new PkiException($"CSR requests the DNS name '{name}', which is not a valid host name");
        }
    }

    private static string? ReadCommonName(X500DistinguishedName subject)
    {
        string? cn = null;
        foreach (var rdn in subject.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements || rdn.GetSingleElementType().Value != CommonNameOid)
                continue;
            if (cn is not null)
                throw new PkiException("CSR subject has more than one CN");
            cn = rdn.GetSingleElementValue();
        }

        return cn;
    }

    private static string DescribeKey(PublicKey key)
    {
        switch (key.Oid.Value)
        {
            case Keys.EcPublicKeyOid:
                var curve = CurveOid(key);
                return curve switch
                {
                    Keys.P256Oid => "ECDSA P-256",
                    Keys.P384Oid => "ECDSA P-384",
                    "1.3.132.0.35" => "ECDSA P-521",
                    _ => $"ECDSA on curve {curve}",
                };
            case Keys.RsaOid:
                return $"RSA-{RsaBits(key)}";
            case "1.3.101.112":
                return "Ed25519";
            case "1.3.101.113":
                return "Ed448";
            default:
                return $"OID {key.Oid.Value}";
        }
    }

    private static string CurveOid(PublicKey key)
    {
        try
        {
            var reader = new AsnReader(key.EncodedParameters?.RawData ?? [], AsnEncodingRules.DER);
            return reader.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier) ? reader.ReadObjectIdentifier() : "(explicit parameters)";
        }
        catch (AsnContentException)
        {
            return "(unreadable parameters)";
        }
    }

    private static int RsaBits(PublicKey key)
    {
        try
        {
            using var rsa = key.GetRSAPublicKey();
            return rsa?.KeySize ?? 0;
        }
        catch (CryptographicException)
        {
            return 0;
        }
    }
}
