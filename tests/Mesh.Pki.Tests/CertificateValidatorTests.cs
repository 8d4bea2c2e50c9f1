using Mesh.Pki.Tests.Support;

namespace Mesh.Pki.Tests;

public sealed class CertificateValidatorTests
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    [Fact]
    public void ValidateClient_IssuedNodeCertificate_ValidWithIdentity()
    {
        using var ca = CertificateAuthority.Create("c1");
        using var leaf = ca.IssueClientCertificate("n1");
        using var validator = new CertificateValidator(ca.Certificate);
        var result = validator.ValidateClient(leaf);
        Assert.True(result.IsValid, result.Reason);
        Assert.Null(result.Reason);
        Assert.Equal(("c1", "n1", leaf.SerialNumber), (result.ClusterId, result.NodeId, result.SerialNumber));
    }

    [Fact]
    public void ValidateClient_CertificateFromAnotherCaWithSameName_Rejected()
    {
        using var ca = CertificateAuthority.Create("c1");
        using var twin = CertificateAuthority.Create("c1"); // same subject, different key
        using var leaf = twin.IssueClientCertificate("n1");
        using var validator = new CertificateValidator(ca.Certificate);
        Assert.Equal("certificate is not signed by this hub's CA", validator.ValidateClient(leaf).Reason);
    }

    [Fact]
    public void ValidateClient_NotYetValid_Rejected()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var ca = CertificateAuthority.Create("c1", clock);
        clock.Advance(TimeSpan.FromHours(1));
        using var leaf = ca.IssueClientCertificate("n1");
        clock.Advance(TimeSpan.FromHours(-2));
        using var validator = new CertificateValidator(ca.Certificate, clock);
        Assert.Equal($"certificate is not valid before {leaf.NotBefore.ToUniversalTime():u}", validator.ValidateClient(leaf).Reason);
    }

    [Fact]
    public void ValidateClient_Expired_RejectedAndValidJustBefore()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2031, 3, 1, 0, 0, 0, TimeSpan.Zero));
        using var ca = CertificateAuthority.Create("c1", clock);
        using var leaf = ca.IssueClientCertificate("n1", TimeSpan.FromHours(24));
        using var validator = new CertificateValidator(ca.Certificate, clock);

        clock.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        Assert.True(validator.ValidateClient(leaf).IsValid);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("certificate expired at 2031-03-02 00:00:00Z", validator.ValidateClient(leaf).Reason);
    }

    [Fact]
    public void ValidateClient_ServerAuthOnlyCertificate_RejectedForUsage()
    {
        using var hand = new HandmadeCa("c1");
        var now = DateTimeOffset.UtcNow;
        using var leaf = hand.Sign("CN=x", now.AddMinutes(-1), now.AddHours(1), [ServerAuth], dns: "x.lan");
        using var validator = new CertificateValidator(hand.Certificate);
        Assert.Equal("certificate lacks the clientAuth extended key usage", validator.ValidateClient(leaf).Reason);
        // Chain, usage and name are right, but only the hub's own certificate carries the hub identity.
        Assert.Equal("certificate is not the hub's: it lacks the hub identity mesh://c1/hub", validator.ValidateServer(leaf, "x.lan").Reason);
    }

    [Fact]
    public void ValidateServer_TheHubsOwnCertificate_CarriesTheHubIdentity()
    {
        using var ca = CertificateAuthority.Create("c1");
        using var server = ca.IssueServerCertificate(["hub.lan"]);
        using var hubClient = ca.IssueHubClientCertificate(TimeSpan.FromHours(1));
        using var validator = new CertificateValidator(ca.Certificate);

        Assert.True(validator.ValidateServer(server, "hub.lan").IsValid);
        Assert.True(NodeIdentity.IsHubCertificate(server, "c1"));
        Assert.True(NodeIdentity.IsHubCertificate(hubClient, "c1"));
        Assert.False(NodeIdentity.IsHubCertificate(server, "c2"));
        Assert.False(NodeIdentity.TryGetNodeId(server, out _, out _));
    }

    [Fact]
    public void ValidateServer_ClientAuthOnlyCertificate_RejectedForUsage()
    {
        using var hand = new HandmadeCa("c1");
        var now = DateTimeOffset.UtcNow;
        using var leaf = hand.Sign("CN=x", now.AddMinutes(-1), now.AddHours(1), [ClientAuth], dns: "x.lan");
        using var validator = new CertificateValidator(hand.Certificate);
        Assert.Equal("certificate lacks the serverAuth extended key usage", validator.ValidateServer(leaf, "x.lan").Reason);
    }

    [Fact]
    public void ValidateClient_NodeOfAnotherCluster_Rejected()
    {
        using var hand = new HandmadeCa("c1");
        var now = DateTimeOffset.UtcNow;
        using var leaf = hand.Sign("CN=n1", now.AddMinutes(-1), now.AddHours(1), [ClientAuth], uri: "mesh://c2/node/n1");
        using var validator = new CertificateValidator(hand.Certificate);
        Assert.Equal("certificate belongs to cluster 'c2', but this hub's CA is for cluster 'c1'", validator.ValidateClient(leaf).Reason);
    }

    [Fact]
    public void ValidateClient_CaCertificateItself_Rejected()
    {
        using var ca = CertificateAuthority.Create("c1");
        using var validator = new CertificateValidator(ca.Certificate);
        Assert.Equal("certificate is a CA certificate, not a leaf certificate", validator.ValidateClient(ca.Certificate).Reason);
    }

    [Fact]
    public void ValidateClient_RevocationHook_Consulted()
    {
        using var ca = CertificateAuthority.Create("c1");
        using var good = ca.IssueClientCertificate("n1");
        using var bad = ca.IssueClientCertificate("n2");
        var list = new RevocationList();
        list.Revoke(bad, DateTimeOffset.UtcNow, "removed");
        using var validator = new CertificateValidator(ca.Certificate, isRevoked: list.IsRevoked);
        Assert.True(validator.ValidateClient(good).IsValid);
        Assert.Equal($"certificate revoked (serial {bad.SerialNumber})", validator.ValidateClient(bad).Reason);
    }

    [Theory]
    [InlineData("hub.example.com", true)]
    [InlineData("HUB.example.com", true)]
    [InlineData("10.0.0.5", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("[::1]", true)]
    [InlineData("localhost", true)]
    [InlineData("10.0.0.6", false)]
    [InlineData("evil.example.com", false)]
    public void ValidateServer_HostName_MatchedAgainstSans(string host, bool expected)
    {
        using var ca = CertificateAuthority.Create("c1");
        using var server = ca.IssueServerCertificate(["hub.example.com", "10.0.0.5"]);
        using var validator = new CertificateValidator(ca.Certificate);
        var result = validator.ValidateServer(server, host);
        Assert.True(expected == result.IsValid, result.Reason);
    }
}
