using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using Mesh.Pki.Tests.Support;

namespace Mesh.Pki.Tests;

public sealed class RevocationListTests
{
    private static readonly DateTimeOffset T0 = new(2030, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void IsRevoked_SerialFormats_Normalized()
    {
        var list = new RevocationList();
        list.Revoke("00:ab:CD:01", T0.AddDays(1), T0, "removed");
        Assert.True(list.IsRevoked("ABCD01"));
        Assert.True(list.IsRevoked("0xabcd01"));
        Assert.True(list.IsRevoked("00ABCD01"));
        Assert.False(list.IsRevoked("ABCD02"));
        Assert.Equal("ABCD01", Assert.Single(list.Entries).SerialHex);
    }

    [Theory]
    [InlineData("")]
    [InlineData("xyz")]
    [InlineData("12-34")]
    public void Revoke_BadSerial_Throws(string serial)
    {
        var ex = Assert.Throws<PkiException>(() => new RevocationList().Revoke(serial, T0, T0, "r"));
        Assert.Equal($"certificate serial '{serial}' is not a hex number of at most 32 bytes", ex.Message);
    }

    [Fact]
    public void Prune_RemovesOnlyEntriesWhoseCertificateExpired()
    {
        var list = new RevocationList();
        list.Revoke("01", T0.AddHours(1), T0, "a");
        list.Revoke("02", T0.AddHours(3), T0, "b");
        Assert.Equal(0, list.Prune(T0));
        Assert.Equal(1, list.Prune(T0.AddHours(2)));
        Assert.False(list.IsRevoked("01"));
        Assert.True(list.IsRevoked("02"));
        Assert.Equal(1, list.Count);
    }

    [Fact]
    public void Json_RoundTrip_KeepsEntries()
    {
        var list = new RevocationList();
        list.Revoke("0A", T0.AddDays(1), T0, "node removed");
        list.Revoke("0B", T0.AddDays(2), T0.AddMinutes(1), "KeyCompromise");
        var json = list.ToJson();
        Assert.Contains("\"serial\": \"A\"", json, StringComparison.Ordinal);

        var back = RevocationList.FromJson(json);
        Assert.Equal(list.Entries, back.Entries);
    }

    [Theory]
    [InlineData("{", "revocation list is not valid JSON")]
    [InlineData("null", "revocation list is empty (null)")]
    [InlineData("{\"version\":2,\"entries\":[]}", "revocation list version 2 is not supported (expected 1)")]
    [InlineData("{\"version\":1,\"entries\":[{\"notAfter\":\"2030-01-01T00:00:00Z\"}]}", "revocation list entry 0 has no serial")]
    [InlineData("{\"version\":1,\"entries\":[{\"serial\":\"zz\"}]}", "revocation list entry 0: certificate serial 'zz' is not a hex number of at most 32 bytes")]
    public void FromJson_BadInput_Throws(string json, string message)
    {
        var ex = Assert.Throws<PkiException>(() => RevocationList.FromJson(json));
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildCrl_OpenSslVerifiesSignatureAndRejectsRevokedCertificate()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        using var revoked = ca.IssueClientCertificate("n-revoked");
        using var good = ca.IssueClientCertificate("n-good");
        var list = new RevocationList();
        list.Revoke(revoked, DateTimeOffset.UtcNow, "KeyCompromise");

        var crlPath = dir.Write("ca.crl", ca.BuildCrlPem(list, new BigInteger(7)));
        var caPath = dir.Write("ca.crt", ca.CertificatePem);
        var crlText = OpenSsl.RunOk("crl", "-in", crlPath, "-CAfile", caPath, "-noout", "-text");
        Assert.Contains("verify OK", crlText, StringComparison.Ordinal);
        Assert.Contains($"Serial Number: {revoked.SerialNumber}", crlText, StringComparison.Ordinal);
        Assert.Contains("Key Compromise", crlText, StringComparison.Ordinal);
        Assert.Contains("X509v3 CRL Number: \n                7", crlText.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);

        var revokedPath = dir.Write("revoked.crt", Pems.Of(revoked));
        var goodPath = dir.Write("good.crt", Pems.Of(good));
        var (code, output) = OpenSsl.Run("verify", "-crl_check", "-CAfile", caPath, "-CRLfile", crlPath, revokedPath);
        Assert.NotEqual(0, code);
        Assert.Contains("certificate revoked", output, StringComparison.Ordinal);
        OpenSsl.RunOk("verify", "-crl_check", "-CAfile", caPath, "-CRLfile", crlPath, goodPath);
    }

    [Fact]
    public void BuildCrl_SerialWithHighBit_EncodedAsPositiveInteger()
    {
        using var ca = CertificateAuthority.Create("c1");
        var list = new RevocationList();
        list.Revoke("80FF", T0, T0, "superseded");
        var crl = CertificateRevocationListBuilder.Load(ca.BuildCrl(list, BigInteger.One), out var number);
        Assert.Equal(BigInteger.One, number);
        using var dir = new TempDir();
        var text = OpenSsl.RunOk("crl", "-inform", "DER", "-in", dir.WriteBytes("c.crl", ca.BuildCrl(list, BigInteger.One)), "-noout", "-text");
        Assert.Contains("Serial Number: 80FF", text, StringComparison.Ordinal);
        Assert.Contains("Superseded", text, StringComparison.Ordinal);
    }
}
