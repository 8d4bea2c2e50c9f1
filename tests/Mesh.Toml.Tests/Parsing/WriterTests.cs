namespace Mesh.Toml.Tests.Parsing;

public sealed class WriterTests
{
    [Fact]
    public void Write_Document_UsesNormalizedLayout()
    {
        var root = TomlParser.Parse("""
            # comment is dropped
            name = 'x"y'
            [server]
            tls.cert = "c.pem"
            port = 8443
            [[node]]
            id = 1
            labels = { zone = "a" }
            [[node]]
            [a.b]
            """);

        Assert.Equal(
            "name = \"x\\\"y\"\n\n[server]\nport = 8443\n\n[server.tls]\ncert = \"c.pem\"\n\n[[node]]\nid = 1\nlabels = { zone = \"a\" }\n\n[[node]]\n\n[a.b]\n",
            TomlWriter.Write(root));
    }

    [Theory]
    [InlineData("v = 1.0", "v = 1.0\n")]
    [InlineData("v = -0.0", "v = -0.0\n")]
    [InlineData("v = 1e300", "v = 1E+300\n")]
    [InlineData("v = -inf", "v = -inf\n")]
    [InlineData("v = nan", "v = nan\n")]
    [InlineData("\"a b\" = \"\\u0001\\t\"", "\"a b\" = \"\\u0001\\t\"\n")]
    [InlineData("\"\" = []", "\"\" = []\n")]
    [InlineData("v = 1979-05-27 07:32:00Z", "v = 1979-05-27T07:32:00Z\n")]
    public void Write_Scalars_UseValidTomlSpelling(string toml, string expected)
    {
        var written = TomlWriter.Write(TomlParser.Parse(toml));
        Assert.Equal(expected, written);
        TomlParser.Parse(written);
    }
}
