using static Mesh.Core.Tests.Configuration.ConfigTestHelpers;

namespace Mesh.Core.Tests.Configuration;

/// <summary>[server] tls_cert / tls_key: HTTPS for the web UI and REST listener.</summary>
public sealed class WebTlsConfigTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Neither_IsPlainHttp()
    {
        Assert.Null(Load(_dir, "").Server.WebTls);
    }

    [Fact]
    public void Both_ArePathsRelativeToTheConfigFile()
    {
        var config = Load(_dir, "[server]\ntls_cert = \"tls/web.crt\"\ntls_key = \"/etc/mesh/web.key\"\n");

        Assert.Equal(Path.Combine(_dir.Path, "tls", "web.crt"), config.Server.WebTls!.CertificatePath);
        Assert.Equal("/etc/mesh/web.key", config.Server.WebTls.KeyPath);
    }

    [Theory]
    [InlineData("tls_cert", "tls_key")]
    [InlineData("tls_key", "tls_cert")]
    public void OneWithoutTheOther_IsAProblemAtTheOneGiven(string given, string missing)
    {
        var problem = Single(_dir, $"[server]\n{given} = \"web.pem\"\n");

        Assert.Equal("server." + given, problem.Key);
        Assert.Equal(2, problem.Location.Line);
        Assert.Contains($"{given} needs {missing} too", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_IsAProblem()
    {
        var problem = Single(_dir, "[server]\ntls_cert = \" \"\ntls_key = \"k.pem\"\n");

        Assert.Equal("server.tls_cert", problem.Key);
        Assert.Contains("must not be empty", problem.Message, StringComparison.Ordinal);
    }
}
