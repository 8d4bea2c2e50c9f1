using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Pki.Tests.Support;

namespace Mesh.Pki.Tests;

public sealed class CsrTests
{
    [Fact]
    public void Create_ThenParse_CarriesNodeIdAndNames()
    {
        var (pem, key) = CertificateSigningRequestInfo.Create("node-1", ["node1.lan", "10.1.2.3", "fd00::1"]);
        using var _ = key;
        var csr = CertificateSigningRequestInfo.Parse(pem);

        Assert.Equal("node-1", csr.RequestedNodeId);
        Assert.Equal(["node1.lan"], csr.DnsNames);
        Assert.Equal([IPAddress.Parse("10.1.2.3"), IPAddress.Parse("fd00::1")], csr.IpAddresses);
        Assert.Equal("ECDSA P-256", csr.KeyDescription);
        Assert.IsAssignableFrom<ECDsa>(key);
        csr.EnsureAcceptableFor("node-1", "c1");
    }

    [Fact]
    public void SignNodeCsr_NodeProfile_VerifiesWithOpenSslAndShowsSans()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        var (pem, key) = CertificateSigningRequestInfo.Create("node-1", ["node1.lan", "10.1.2.3"]);
        using var _ = key;
        using var cert = ca.SignNodeCsr(CertificateSigningRequestInfo.Parse(pem), "node-1", TimeSpan.FromHours(24), new NodeCertificateNames(["node1.lan", "10.1.2.3"], []));

        Assert.False(cert.HasPrivateKey);
        var certPem = Pems.Of(cert);
        var (ok, output) = OpenSsl.Verify(dir, ca.CertificatePem, certPem, "-purpose", "sslclient");
        Assert.True(ok, output);
        (ok, output) = OpenSsl.Verify(dir, ca.CertificatePem, certPem, "-purpose", "sslserver");
        Assert.True(ok, output);
        var text = OpenSsl.Text(dir, certPem);
        Assert.Contains("URI:mesh://c1/node/node-1, DNS:node1.lan, IP Address:10.1.2.3", text, StringComparison.Ordinal);
        Assert.Contains("TLS Web Server Authentication, TLS Web Client Authentication", text, StringComparison.Ordinal);
        Assert.Contains("CA:FALSE", text, StringComparison.Ordinal);
        Assert.Contains("Digital Signature", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Certificate Sign", text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Authority Key Identifier", text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Subject Key Identifier", text, StringComparison.Ordinal);
        using var publicKey = cert.GetECDsaPublicKey()!;
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), publicKey.ExportSubjectPublicKeyInfo());
    }

    [Theory]
    [InlineData("node1.lan", "not one of node 'node-1''s names")]
    [InlineData("hub.lan", "a name or address of the hub")]
    [InlineData("0:0::1", "a name or address of the hub")]
    [InlineData("HUB.LAN.", "a name or address of the hub")]
    public void SignNodeCsr_NameNotTheNodesOwnOrTheHubs_Refused(string name, string expected)
    {
        using var ca = CertificateAuthority.Create("c1");
        var (pem, key) = CertificateSigningRequestInfo.Create("node-1", [name]);
        using var _ = key;
        var names = new NodeCertificateNames(["node2.lan", "hub.lan"], ["hub.lan", "::1", "127.0.0.1"]);

        var ex = Assert.Throws<PkiException>(() => ca.SignNodeCsr(CertificateSigningRequestInfo.Parse(pem), "node-1", TimeSpan.FromHours(1), names));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Throws<PkiException>(() => ca.SignNodeCsr(CertificateSigningRequestInfo.Parse(pem), "node-1", TimeSpan.FromHours(1)));
    }

    [Fact]
    public void SignNodeCsr_OpenSslMadeRsaCsr_EcdsaCaSignsRsaLeaf()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        var keyPath = dir.Combine("rsa.key");
        var csrPath = dir.Combine("rsa.csr");
        OpenSsl.RunOk("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", csrPath,
            "-subj", "/CN=node-rsa", "-addext", "subjectAltName=DNS:rsa.lan,IP:192.168.7.7,URI:mesh://c1/node/node-rsa");

        var csr = CertificateSigningRequestInfo.Parse(File.ReadAllText(csrPath));
        Assert.Equal("RSA-2048", csr.KeyDescription);
        Assert.Equal("node-rsa", csr.RequestedNodeId);
        Assert.Equal("c1", csr.RequestedClusterId);
        using var cert = ca.SignNodeCsr(csr, "node-rsa", TimeSpan.FromHours(1), new NodeCertificateNames(["rsa.lan", "192.168.7.7"], []));

        var certPem = Pems.Of(cert);
        var (ok, output) = OpenSsl.Verify(dir, ca.CertificatePem, certPem);
        Assert.True(ok, output);
        var text = OpenSsl.Text(dir, certPem);
        Assert.Contains("Public Key Algorithm: rsaEncryption", text, StringComparison.Ordinal);
        Assert.Contains("Signature Algorithm: ecdsa-with-SHA256", text, StringComparison.Ordinal);
        Assert.Contains("Digital Signature, Key Encipherment", text, StringComparison.Ordinal);
        Assert.Contains("URI:mesh://c1/node/node-rsa, DNS:rsa.lan, IP Address:192.168.7.7", text, StringComparison.Ordinal);
    }

    [Fact]
    public void SignNodeCsr_P384Key_Accepted()
    {
        using var ca = CertificateAuthority.Create("c1");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var csr = CertificateSigningRequestInfo.Parse(CsrFactory.Pem(key, "CN=n1"));
        Assert.Equal("ECDSA P-384", csr.KeyDescription);
        using var cert = ca.SignNodeCsr(csr, "n1", TimeSpan.FromHours(1));
        Assert.True(NodeIdentity.TryGetNodeId(cert, out _, out var node));
        Assert.Equal("n1", node);
    }

    [Fact]
    public void Parse_SignedByDifferentKey_Rejected()
    {
        using var carried = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=n1"), new PublicKey(carried), HashAlgorithmName.SHA256);
        var der = request.CreateSigningRequest(X509SignatureGenerator.CreateForECDsa(signer));
        var pem = PemEncoding.WriteString("CERTIFICATE REQUEST", der);

        var ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Parse(pem));
        Assert.Equal("CSR signature does not verify with the public key the CSR carries: it was signed by a different key, or altered after signing", ex.Message);
    }

    [Fact]
    public void Parse_AlteredAfterSigning_Rejected()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = CsrFactory.Request(key, "CN=node-a").CreateSigningRequest();
        var index = der.AsSpan().IndexOf("node-a"u8);
        der[index + 5] = (byte)'b'; // CN=node-b, signature unchanged
        var ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Parse(PemEncoding.WriteString("CERTIFICATE REQUEST", der)));
        Assert.StartsWith("CSR signature does not verify", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureAcceptableFor_Rsa1024_Rejected()
    {
        using var dir = new TempDir();
        var csrPath = dir.Combine("weak.csr");
        OpenSsl.RunOk("req", "-new", "-newkey", "rsa:1024", "-nodes", "-keyout", dir.Combine("weak.key"), "-out", csrPath, "-subj", "/CN=n1");
        var csr = CertificateSigningRequestInfo.Parse(File.ReadAllText(csrPath));
        using var ca = CertificateAuthority.Create("c1");

        var ex = Assert.Throws<PkiException>(() => csr.EnsureAcceptableFor("n1", "c1"));
        Assert.Equal("CSR key is RSA-1024; accepted keys are ECDSA P-256, ECDSA P-384 or RSA of 2048 to 8192 bits", ex.Message);
        Assert.Equal(ex.Message, Assert.Throws<PkiException>(() => ca.SignNodeCsr(csr, "n1", TimeSpan.FromHours(1))).Message);
    }

    [Fact]
    public void EnsureAcceptableFor_P521_Rejected()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        var csr = CertificateSigningRequestInfo.Parse(CsrFactory.Pem(key, "CN=n1"));
        var ex = Assert.Throws<PkiException>(() => csr.EnsureAcceptableFor("n1", "c1"));
        Assert.StartsWith("CSR key is ECDSA P-521;", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Ed25519Key_RejectedAsUnsupportedAlgorithm()
    {
        using var dir = new TempDir();
        var csrPath = dir.Combine("ed.csr");
        OpenSsl.RunOk("req", "-new", "-newkey", "ed25519", "-nodes", "-keyout", dir.Combine("ed.key"), "-out", csrPath, "-subj", "/CN=n1");
        var ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Parse(File.ReadAllText(csrPath)));
        Assert.StartsWith("CSR key algorithm Ed25519 is not accepted", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureAcceptableFor_CaTrue_Rejected()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = CsrFactory.Pem(key, "CN=n1", r => r.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true)));
        var csr = CertificateSigningRequestInfo.Parse(pem);
        Assert.True(csr.RequestsCertificateAuthority);
        var ex = Assert.Throws<PkiException>(() => csr.EnsureAcceptableFor("n1", "c1"));
        Assert.Equal("CSR requests a CA certificate (basicConstraints CA:TRUE); node certificates are never CAs", ex.Message);
    }

    [Fact]
    public void EnsureAcceptableFor_OpenSslCsrWithCaTrue_Rejected()
    {
        using var dir = new TempDir();
        var csrPath = dir.Combine("ca.csr");
        OpenSsl.RunOk("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir.Combine("k"), "-out", csrPath,
            "-subj", "/CN=n1", "-addext", "basicConstraints=critical,CA:TRUE");
        var ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Parse(File.ReadAllText(csrPath)).EnsureAcceptableFor("n1", "c1"));
        Assert.Contains("basicConstraints CA:TRUE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureAcceptableFor_KeyCertSign_Rejected()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = CsrFactory.Pem(key, "CN=n1", r => r.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true)));
        var ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Parse(pem).EnsureAcceptableFor("n1", "c1"));
        Assert.Equal("CSR requests the keyCertSign/cRLSign key usage; node certificates cannot sign certificates", ex.Message);
    }

    [Fact]
    public void EnsureAcceptableFor_CnOfAnotherNode_Rejected()
    {
        var (pem, key) = CertificateSigningRequestInfo.Create("node-victim", []);
        using var _ = key;
        var csr = CertificateSigningRequestInfo.Parse(pem);
        var ex = Assert.Throws<PkiException>(() => csr.EnsureAcceptableFor("node-attacker", "c1"));
        Assert.Equal("CSR asks for the node identity CN='node-victim' but the node being enrolled is 'node-attacker'", ex.Message);
    }

    [Fact]
    public void EnsureAcceptableFor_UriSanOfAnotherNode_Rejected()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = CsrFactory.Pem(key, "CN=node-attacker", r =>
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddUri(new Uri("mesh://c1/node/node-victim"));
            r.CertificateExtensions.Add(san.Build());
        });
        var csr = CertificateSigningRequestInfo.Parse(pem);
        Assert.Equal("node-victim", csr.RequestedNodeId);
        var ex = Assert.Throws<PkiException>(() => csr.EnsureAcceptableFor("node-attacker", "c1"));
        Assert.Equal("CSR asks for the identity 'mesh://c1/node/node-victim' but this enrollment is for 'mesh://c1/node/node-attacker'", ex.Message);
    }

    [Fact]
    public void EnsureAcceptableFor_UriSanOfAnotherCluster_Rejected()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = CsrFactory.Pem(key, "CN=n1", r =>
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddUri(new Uri("mesh://other/node/n1"));
            r.CertificateExtensions.Add(san.Build());
        });
        var ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Parse(pem).EnsureAcceptableFor("n1", "c1"));
        Assert.Equal("CSR asks for the identity 'mesh://other/node/n1' but this enrollment is for 'mesh://c1/node/n1'", ex.Message);
    }

    [Fact]
    public void EnsureAcceptableFor_ForeignUriOrEmailSan_Rejected()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var uriPem = CsrFactory.Pem(key, "CN=n1", r =>
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddUri(new Uri("spiffe://example.org/admin"));
            r.CertificateExtensions.Add(san.Build());
        });
        var ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Parse(uriPem).EnsureAcceptableFor("n1", "c1"));
        Assert.Equal("CSR requests the URI SAN 'spiffe://example.org/admin'; the only URI a node certificate carries is mesh://c1/node/n1", ex.Message);

        var emailPem = CsrFactory.Pem(key, "CN=n1", r =>
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddEmailAddress("root@example.org");
            r.CertificateExtensions.Add(san.Build());
        });
        ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Parse(emailPem).EnsureAcceptableFor("n1", "c1"));
        Assert.Equal("CSR requests a rfc822Name (email) SAN; node certificates carry only DNS names, IP addresses and their mesh:// URI", ex.Message);
    }

    [Fact]
    public void EnsureAcceptableFor_WildcardDnsName_Rejected()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = CsrFactory.Pem(key, "CN=n1", r =>
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("*.example.com");
            r.CertificateExtensions.Add(san.Build());
        });
        var ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Parse(pem).EnsureAcceptableFor("n1", "c1"));
        Assert.Equal("CSR requests the wildcard name '*.example.com'; node certificates are issued for exact names only", ex.Message);
    }

    [Fact]
    public void EnsureAcceptableFor_NoIdentity_Rejected()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = CsrFactory.Pem(key, "O=nobody");
        var ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Parse(pem).EnsureAcceptableFor("n1", "c1"));
        Assert.Equal("CSR carries no node identity: set its subject to CN=n1 (or add the URI SAN mesh://c1/node/n1)", ex.Message);
    }

    [Fact]
    public void EnsureAcceptableFor_InvalidNodeId_Rejected()
    {
        var (pem, key) = CertificateSigningRequestInfo.Create("n1", []);
        using var _ = key;
        var ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Parse(pem).EnsureAcceptableFor("../n1", "c1"));
        Assert.StartsWith("node id '../n1' is invalid", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "CSR is empty")]
    [InlineData("hello world, not a CSR", "CSR is not PEM: no -----BEGIN CERTIFICATE REQUEST----- line found")]
    [InlineData("-----BEGIN CERTIFICATE REQUEST-----\nMIIBAD\n", "CSR is truncated or damaged: '-----BEGIN CERTIFICATE REQUEST-----' has no matching '-----END CERTIFICATE REQUEST-----' line, or the base64 between them is invalid")]
    [InlineData("-----BEGIN CERTIFICATE REQUEST-----\n!!!notbase64!!!\n-----END CERTIFICATE REQUEST-----\n", "CSR is truncated or damaged: '-----BEGIN CERTIFICATE REQUEST-----' has no matching '-----END CERTIFICATE REQUEST-----' line, or the base64 between them is invalid")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "CSR holds a 'PUBLIC KEY' PEM block but no -----BEGIN CERTIFICATE REQUEST----- block")]
    public void Parse_GarbagePem_RejectedPrecisely(string pem, string message)
    {
        var ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Parse(pem));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Parse_TruncatedPem_Rejected()
    {
        var (pem, key) = CertificateSigningRequestInfo.Create("n1", ["a.lan"]);
        using var _ = key;
        var cut = pem[..(pem.Length / 2)];
        var ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Parse(cut));
        Assert.StartsWith("CSR is truncated or damaged", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TruncatedDerInsideValidPem_Rejected()
    {
        var (pem, key) = CertificateSigningRequestInfo.Create("n1", ["a.lan"]);
        using var _ = key;
        var der = PemEncoding.Find(pem) is var f ? Convert.FromBase64String(pem[f.Base64Data]) : [];
        var truncated = PemEncoding.WriteString("CERTIFICATE REQUEST", der.AsSpan(0, der.Length - 20));
        var ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Parse(truncated));
        Assert.StartsWith("CSR is not a valid PKCS#10 request (damaged or truncated DER)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TrailingDataAfterDer_Rejected()
    {
        var (pem, key) = CertificateSigningRequestInfo.Create("n1", []);
        using var _ = key;
        var f = PemEncoding.Find(pem);
        byte[] der = [.. Convert.FromBase64String(pem[f.Base64Data]), 1, 2, 3];
        var ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Parse(PemEncoding.WriteString("CERTIFICATE REQUEST", der)));
        Assert.Equal("CSR has 3 bytes of trailing data after the PKCS#10 structure", ex.Message);
    }

    [Fact]
    public void Parse_Oversized_Rejected()
    {
        var ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Parse(new string('A', 70_000)));
        Assert.Equal("CSR is 70000 characters long; at most 65536 are accepted", ex.Message);
    }

    [Fact]
    public void Create_BadName_Rejected()
    {
        var ex = Assert.Throws<PkiException>(() => CertificateSigningRequestInfo.Create("n1", ["under_score.lan"]));
        Assert.Equal("CSR names: 'under_score.lan' is neither a DNS name (letters, digits, '-', dot-separated labels) nor an IP address literal", ex.Message);
    }
}
