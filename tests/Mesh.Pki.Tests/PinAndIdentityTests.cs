using Mesh.Pki.Tests.Support;

namespace Mesh.Pki.Tests;

public sealed class PinAndIdentityTests
{
    [Fact]
    public void Pin_Format_IsSha256PrefixAnd64LowercaseHex()
    {
        using var ca = CertificateAuthority.Create("c1");
        Assert.Matches("^sha256:[0-9a-f]{64}$", ca.Pin);
        Assert.True(CertificatePins.IsWellFormed(ca.Pin));
        Assert.False(CertificatePins.IsWellFormed("sha256:abc"));
        Assert.False(CertificatePins.IsWellFormed("sha256:" + new string('g', 64)));
    }

    [Fact]
    public void PinEquals_CaseAndPrefixInsensitive_DifferentCaDiffers()
    {
        using var a = CertificateAuthority.Create("c1");
        using var b = CertificateAuthority.Create("c1");
        Assert.True(CertificatePins.PinEquals(a.Pin, a.Pin.ToUpperInvariant()));
        Assert.True(CertificatePins.PinEquals(a.Pin, " " + a.Pin["sha256:".Length..] + "\n"));
        Assert.False(CertificatePins.PinEquals(a.Pin, b.Pin));
        Assert.False(CertificatePins.PinEquals(a.Pin, a.Pin[..^1]));
        Assert.False(CertificatePins.PinEquals(a.Pin, ""));
    }

    [Fact]
    public void Pin_LeafCertificate_DiffersFromCaPin_AndSurvivesReload()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.LoadOrCreate(dir.Path, "c1");
        using var leaf = ca.IssueClientCertificate("n");
        Assert.NotEqual(ca.Pin, CertificatePins.ComputeSpkiPin(leaf));
        using var again = CertificateAuthority.LoadOrCreate(dir.Path, "c1");
        Assert.Equal(ca.Pin, again.Pin);
    }

    [Fact]
    public void NodeIdentity_FormatAndParse_RoundTrip()
    {
        var uri = NodeIdentity.FormatUri("prod", "worker-01.eu");
        Assert.Equal("mesh://prod/node/worker-01.eu", uri);
        Assert.True(NodeIdentity.TryParseUri(uri, out var cluster, out var node));
        Assert.Equal(("prod", "worker-01.eu"), (cluster, node));
    }

    [Theory]
    [InlineData("https://prod/node/n1")]
    [InlineData("mesh://prod/nodes/n1")]
    [InlineData("mesh://prod/node/")]
    [InlineData("mesh://prod/node/n1/extra")]
    [InlineData("mesh:///node/n1")]
    [InlineData("mesh://prod/node/..")]
    public void NodeIdentity_TryParseUri_RejectsMalformed(string uri)
    {
        Assert.False(NodeIdentity.TryParseUri(uri, out _, out _));
    }

    [Fact]
    public void NodeIdentity_FormatUri_BadNodeId_Throws()
    {
        var ex = Assert.Throws<PkiException>(() => NodeIdentity.FormatUri("c1", "a/b"));
        Assert.Equal("node id 'a/b' is invalid: use 1-128 characters of letters, digits, '.', '_' or '-', not starting with '.' or '-'", ex.Message);
    }

    [Fact]
    public void NodeIdentity_TryGetNodeId_ServerCertificate_HasNone()
    {
        using var ca = CertificateAuthority.Create("c1");
        using var server = ca.IssueServerCertificate(["hub.lan"]);
        Assert.False(NodeIdentity.TryGetNodeId(server, out _, out _));
    }
}
