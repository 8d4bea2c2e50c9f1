using System.Security.Cryptography;
using Mesh.Pki.Tests.Support;

namespace Mesh.Pki.Tests;

public sealed class KeyFilesTests
{
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode0644 = Mode0600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    [Fact]
    public void WriteAtomically_PrivateKey_Mode0600AndNoTempFileLeft()
    {
        using var dir = new TempDir();
        var path = dir.Combine("node.key");
        KeyFiles.WriteAtomically(path, "secret\n", isPrivate: true);
        Assert.Equal(Mode0600, File.GetUnixFileMode(path));
        Assert.Equal("secret\n", File.ReadAllText(path));
        Assert.Equal(["node.key"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void WriteAtomically_PublicFile_Mode0644()
    {
        using var dir = new TempDir();
        var path = dir.Combine("node.crt");
        KeyFiles.WriteAtomically(path, "cert\n", isPrivate: false);
        Assert.Equal(Mode0644, File.GetUnixFileMode(path));
    }

    [Fact]
    public void WriteAtomically_ReplacesExistingFileAndTightensMode()
    {
        using var dir = new TempDir();
        var path = dir.Write("node.key", "old");
        File.SetUnixFileMode(path, Mode0644);
        using var watcher = File.OpenRead(path); // a reader of the old file keeps the old content: the new one is a new inode
        KeyFiles.WriteAtomically(path, "new", isPrivate: true);
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(Mode0600, File.GetUnixFileMode(path));
        Assert.Equal("old", new StreamReader(watcher).ReadToEnd());
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void WriteAtomically_MissingDirectory_ThrowsAndSaysSo()
    {
        using var dir = new TempDir();
        var ex = Assert.Throws<PkiException>(() => KeyFiles.WriteAtomically(dir.Combine("nope/node.key"), "x", true));
        Assert.Equal($"directory {dir.Combine("nope")} does not exist; create it (mode 0700) or fix cert_dir", ex.Message);
    }

    [Fact]
    public void EnsurePrivate_Mode0644_ThrowsWithChmodFix()
    {
        using var dir = new TempDir();
        var path = dir.Write("node.key", "k");
        File.SetUnixFileMode(path, Mode0644);
        var ex = Assert.Throws<PkiException>(() => KeyFiles.EnsurePrivate(path));
        Assert.Equal($"key file {path} is readable by group/others (mode 0644); run: chmod 600 {path}", ex.Message);
    }

    [Fact]
    public void EnsurePrivate_GroupWritableOnly_Throws()
    {
        using var dir = new TempDir();
        var path = dir.Write("node.key", "k");
        File.SetUnixFileMode(path, Mode0600 | UnixFileMode.GroupWrite);
        var ex = Assert.Throws<PkiException>(() => KeyFiles.EnsurePrivate(path));
        Assert.Equal($"key file {path} is accessible by group/others (mode 0620); run: chmod 600 {path}", ex.Message);
    }

    [Fact]
    public void EnsurePrivate_Mode0600And0400_Accepted()
    {
        using var dir = new TempDir();
        var path = dir.Write("node.key", "k");
        File.SetUnixFileMode(path, Mode0600);
        KeyFiles.EnsurePrivate(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead);
        KeyFiles.EnsurePrivate(path);
    }

    [Fact]
    public void EnsurePrivate_Missing_Throws()
    {
        using var dir = new TempDir();
        var ex = Assert.Throws<PkiException>(() => KeyFiles.EnsurePrivate(dir.Combine("node.key")));
        Assert.Equal($"key file {dir.Combine("node.key")} does not exist", ex.Message);
    }

    [Fact]
    public void LoadCertificateWithKey_WorldReadableKey_RefusedBeforeReading()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        using var cert = ca.IssueClientCertificate("n1");
        KeyFiles.WriteCertificateAndKey(dir.Combine("node.crt"), dir.Combine("node.key"), cert);
        File.SetUnixFileMode(dir.Combine("node.key"), Mode0644);
        var ex = Assert.Throws<PkiException>(() => KeyFiles.LoadCertificateWithKey(dir.Combine("node.crt"), dir.Combine("node.key")));
        Assert.Contains("run: chmod 600", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteCertificateAndKey_ThenLoad_RoundTrips()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        using var cert = ca.IssueClientCertificate("n1");
        KeyFiles.WriteCertificateAndKey(dir.Combine("node.crt"), dir.Combine("node.key"), cert);
        Assert.Equal(Mode0600, File.GetUnixFileMode(dir.Combine("node.key")));
        Assert.Equal(Mode0644, File.GetUnixFileMode(dir.Combine("node.crt")));
        using var loaded = KeyFiles.LoadCertificateWithKey(dir.Combine("node.crt"), dir.Combine("node.key"));
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(cert.Thumbprint, loaded.Thumbprint);
        // openssl agrees the key belongs to the certificate.
        var keyPub = OpenSsl.RunOk("pkey", "-in", dir.Combine("node.key"), "-pubout");
        var certPub = OpenSsl.RunOk("x509", "-in", dir.Combine("node.crt"), "-noout", "-pubkey");
        Assert.Equal(certPub, keyPub);
    }

    [Fact]
    public void LoadCertificateWithKey_OpenSslTraditionalEcKey_Loads()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        OpenSsl.RunOk("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", dir.Combine("raw.key"));
        OpenSsl.RunOk("req", "-new", "-key", dir.Combine("raw.key"), "-subj", "/CN=n1", "-out", dir.Combine("n.csr"));
        using var cert = ca.SignNodeCsr(CertificateSigningRequestInfo.Parse(File.ReadAllText(dir.Combine("n.csr"))), "n1", TimeSpan.FromHours(1));
        File.WriteAllText(dir.Combine("node.crt"), Pems.Of(cert));
        KeyFiles.WriteAtomically(dir.Combine("node.key"), File.ReadAllText(dir.Combine("raw.key")), isPrivate: true);
        Assert.Contains("BEGIN EC PRIVATE KEY", File.ReadAllText(dir.Combine("node.key")), StringComparison.Ordinal);
        using var loaded = KeyFiles.LoadCertificateWithKey(dir.Combine("node.crt"), dir.Combine("node.key"));
        Assert.True(loaded.HasPrivateKey);
    }

    [Fact]
    public void LoadCertificateWithKey_KeyOfAnotherCertificate_Rejected()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        using var a = ca.IssueClientCertificate("a");
        using var b = ca.IssueClientCertificate("b");
        KeyFiles.WriteCertificateAndKey(dir.Combine("a.crt"), dir.Combine("a.key"), a);
        KeyFiles.WriteCertificateAndKey(dir.Combine("b.crt"), dir.Combine("b.key"), b);
        var ex = Assert.Throws<PkiException>(() => KeyFiles.LoadCertificateWithKey(dir.Combine("a.crt"), dir.Combine("b.key")));
        Assert.Equal($"key file {dir.Combine("b.key")} does not match the public key of certificate file {dir.Combine("a.crt")}", ex.Message);
    }

    [Fact]
    public void LoadCertificateWithKey_TruncatedCertificate_Rejected()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        using var cert = ca.IssueClientCertificate("n1");
        KeyFiles.WriteCertificateAndKey(dir.Combine("node.crt"), dir.Combine("node.key"), cert);
        var pem = File.ReadAllText(dir.Combine("node.crt"));
        File.WriteAllText(dir.Combine("node.crt"), pem[..(pem.Length - 40)]);
        var ex = Assert.Throws<PkiException>(() => KeyFiles.LoadCertificateWithKey(dir.Combine("node.crt"), dir.Combine("node.key")));
        Assert.Equal($"certificate file {dir.Combine("node.crt")} is truncated or damaged: '-----BEGIN CERTIFICATE-----' has no matching '-----END CERTIFICATE-----' line, or the base64 between them is invalid", ex.Message);
    }

    [Fact]
    public void LoadCertificateWithKey_DamagedDer_Rejected()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        using var cert = ca.IssueClientCertificate("n1");
        KeyFiles.WriteCertificateAndKey(dir.Combine("node.crt"), dir.Combine("node.key"), cert);
        File.WriteAllText(dir.Combine("node.crt"), PemEncoding.WriteString("CERTIFICATE", cert.RawData.AsSpan(0, 100)));
        var ex = Assert.Throws<PkiException>(() => KeyFiles.LoadCertificateWithKey(dir.Combine("node.crt"), dir.Combine("node.key")));
        Assert.StartsWith($"certificate file {dir.Combine("node.crt")} is not a valid X.509 certificate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadCertificateWithKey_GarbageKey_Rejected()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        using var cert = ca.IssueClientCertificate("n1");
        File.WriteAllText(dir.Combine("node.crt"), Pems.Of(cert));
        KeyFiles.WriteAtomically(dir.Combine("node.key"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", true);
        var ex = Assert.Throws<PkiException>(() => KeyFiles.LoadCertificateWithKey(dir.Combine("node.crt"), dir.Combine("node.key")));
        Assert.Equal($"key file {dir.Combine("node.key")} is neither an EC nor an RSA PKCS#8 private key", ex.Message);
    }
}
