namespace Mesh.Toml.Tests.Parsing;

public sealed class SpanTests
{
    private const string Document = """
        title = "mesh"
        [server]
        listen = "0.0.0.0:8443"
          tls.cert = "/etc/mesh/cert.pem"
        [hub . "main node"]
        peers = [ 1, 2 ]
        [[node]]
        id = 1
        [[node]]
        id = 2
        """;

    private static readonly TomlTable Root = TomlParser.Parse(Document);

    private static TomlSpan Span(int line1, int col1, int line2, int col2) => new(new TomlPosition(line1, col1), new TomlPosition(line2, col2));

    [Fact]
    public void GetKeySpan_SimpleKey_PointsAtTheKey()
    {
        Assert.Equal(Span(1, 1, 1, 6), Root.GetKeySpan("title"));
        var server = (TomlTable)Root["server"];
        Assert.Equal(Span(3, 1, 3, 7), server.GetKeySpan("listen"));
    }

    [Fact]
    public void GetKeySpan_DottedKey_PointsAtEachSegment()
    {
        var server = (TomlTable)Root["server"];
        Assert.Equal(Span(4, 3, 4, 6), server.GetKeySpan("tls"));
        var tls = (TomlTable)server["tls"];
        Assert.Equal(Span(4, 7, 4, 11), tls.GetKeySpan("cert"));
    }

    [Fact]
    public void GetKeySpan_HeaderSubTable_PointsAtTheLastHeaderSegment()
    {
        Assert.Equal(Span(2, 2, 2, 8), Root.GetKeySpan("server"));
        var hub = (TomlTable)Root["hub"];
        Assert.Equal(Span(5, 2, 5, 5), Root.GetKeySpan("hub"));
        Assert.Equal(Span(5, 8, 5, 19), hub.GetKeySpan("main node"));
    }

    [Fact]
    public void GetKeySpan_ImplicitTableDefinedLater_MovesToTheExplicitHeader()
    {
        var root = TomlParser.Parse("[a.b]\n\n[a]\n");
        Assert.Equal(Span(3, 2, 3, 3), root.GetKeySpan("a"));
        Assert.Equal(Span(3, 1, 3, 4), root["a"].Span);
    }

    [Fact]
    public void NodeSpan_Values_CoverTheValueAsWritten()
    {
        Assert.Equal(Span(1, 9, 1, 15), Root["title"].Span);
        var peers = (TomlArray)((TomlTable)((TomlTable)Root["hub"])["main node"])["peers"];
        Assert.Equal(Span(6, 9, 6, 17), peers.Span);
        Assert.Equal(Span(6, 11, 6, 12), peers[0].Span);
    }

    [Fact]
    public void NodeSpan_Tables_AreTheirHeaderOrFirstKey()
    {
        Assert.Equal(Span(2, 1, 2, 9), Root["server"].Span);
        var server = (TomlTable)Root["server"];
        Assert.Equal(Span(4, 3, 4, 6), server["tls"].Span);
        var nodes = (TomlArray)Root["node"];
        Assert.Equal(Span(7, 1, 7, 9), nodes.Span);
        Assert.Equal(Span(9, 1, 9, 9), nodes[1].Span);
        Assert.Equal(Span(7, 3, 7, 7), Root.GetKeySpan("node"));
    }

    [Fact]
    public void NodeSpan_InlineTable_CoversTheBraces()
    {
        var root = TomlParser.Parse("x = 1\nt = { a = 1, b = [2] }\n");
        Assert.Equal(Span(2, 5, 2, 23), root["t"].Span);
        Assert.Equal(Span(2, 14, 2, 15), ((TomlTable)root["t"]).GetKeySpan("b"));
    }

    [Fact]
    public void NodeSpan_MultilineString_EndsOnItsLastLine()
    {
        var root = TomlParser.Parse("s = \"\"\"\nab\ncd\"\"\"\n");
        Assert.Equal(Span(1, 5, 3, 6), root["s"].Span);
    }
}
