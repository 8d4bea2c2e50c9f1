using Mesh.Core.Configuration.Toml;

namespace Mesh.Core.Tests.Configuration.Toml;

/// <summary>The tables built from Tomlyn's syntax tree: TOML's merging rules, and each key's and value's position.</summary>
public sealed class TomlModelTests
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

    private static readonly TomlTableNode Root = Parse(Document);

    private static TomlTableNode Parse(string toml) =>
        TomlDocumentParser.TryParse(toml, out var root, out var error) ? root : throw new InvalidOperationException(error.ToString());

    private static TomlEntry Entry(TomlTableNode table, string name) => table.TryGet(name, out var entry) ? entry : throw new KeyNotFoundException(name);

    [Fact]
    public void KeyPosition_SimpleKey_IsTheKey()
    {
        Assert.Equal(new TomlPosition(1, 1), Entry(Root, "title").KeyPosition);
        Assert.Equal(new TomlPosition(3, 1), Entry((TomlTableNode)Root["server"], "listen").KeyPosition);
    }

    [Fact]
    public void KeyPosition_DottedKey_IsEachSegment()
    {
        var server = (TomlTableNode)Root["server"];
        Assert.Equal(new TomlPosition(4, 3), Entry(server, "tls").KeyPosition);
        Assert.Equal(new TomlPosition(4, 7), Entry((TomlTableNode)server["tls"], "cert").KeyPosition);
    }

    [Fact]
    public void KeyPosition_Header_IsEachHeaderSegment()
    {
        Assert.Equal(new TomlPosition(2, 2), Entry(Root, "server").KeyPosition);
        Assert.Equal(new TomlPosition(5, 2), Entry(Root, "hub").KeyPosition);
        Assert.Equal(new TomlPosition(5, 8), Entry((TomlTableNode)Root["hub"], "main node").KeyPosition);
    }

    [Fact]
    public void Position_Values_AreWhereTheValueStarts()
    {
        Assert.Equal(new TomlPosition(1, 9), Root["title"].Position);
        var peers = (TomlArrayNode)((TomlTableNode)((TomlTableNode)Root["hub"])["main node"])["peers"];
        Assert.Equal(new TomlPosition(6, 9), peers.Position);
        Assert.Equal(new TomlPosition(6, 11), peers.Items[0].Position);
    }

    [Fact]
    public void Position_Tables_AreTheirHeaderOrFirstDottedKey()
    {
        Assert.Equal(new TomlPosition(2, 1), Root["server"].Position);
        Assert.Equal(new TomlPosition(4, 3), ((TomlTableNode)Root["server"])["tls"].Position);
        var nodes = (TomlArrayNode)Root["node"];
        Assert.True(nodes.IsArrayOfTables);
        Assert.Equal(new TomlPosition(7, 1), nodes.Position);
        Assert.Equal(new TomlPosition(9, 1), nodes.Items[1].Position);
        Assert.Equal(2L, ((TomlValueNode)((TomlTableNode)nodes.Items[1])["id"]).Value);
    }

    [Fact]
    public void Position_ImplicitTableDefinedLater_MovesToTheExplicitHeader()
    {
        var root = Parse("[a.b]\n\n[a]\nx = 1\n");

        Assert.Equal(new TomlPosition(3, 2), Entry(root, "a").KeyPosition);
        Assert.Equal(new TomlPosition(3, 1), root["a"].Position);
        Assert.Equal(["b", "x"], ((TomlTableNode)root["a"]).Entries.Select(e => e.Name));
    }

    [Fact]
    public void Position_InlineTable_IsTheBraceAndItsKeysKeepTheirs()
    {
        var root = Parse("x = 1\nt = { a = 1, b = [2] }\n");
        var table = (TomlTableNode)root["t"];

        Assert.True(table.IsInline);
        Assert.Equal(new TomlPosition(2, 5), table.Position);
        Assert.Equal(new TomlPosition(2, 14), Entry(table, "b").KeyPosition);
    }

    [Fact]
    public void Position_Columns_CountCharactersNotUtf16Units()
    {
        var root = Parse("s = \"😀\"; t = 1\n".Replace(";", "\n", StringComparison.Ordinal) + "u = \"😀\" \n");

        Assert.Equal(new TomlPosition(2, 2), Entry(root, "t").KeyPosition);
        Assert.False(TomlDocumentParser.TryParse("s = \"😀\" x\n", out _, out var error));
        Assert.Equal(new TomlPosition(1, 9), error.Position);
    }

    [Theory]
    [InlineData("[a.b]\nx = 1\n[a]\ny = 2\n")]
    [InlineData("[a.b.c]\n[a.b]\n[a]\n")]
    [InlineData("[fruit]\napple.color = 'red'\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true\n")]
    [InlineData("a.b.c = 1\na.b.d = 2\na.e = 3\n")]
    [InlineData("[[a.b]]\nx = 1\n[a]\ny = 2\n")]
    [InlineData("[[a]]\nb.c = 1\n[[a]]\nb.c = 2\n")]
    [InlineData("[[a]]\n[a.b]\n[[a]]\n[a.b]\n")]
    [InlineData("[a]\nb.c = 1\n[a.b.d]\ne = 1\n")]
    [InlineData("a = { b.c = 1, b.d = 2 }\n")]
    public void Definition_AllowedBySpec_IsAccepted(string toml)
    {
        Assert.True(TomlDocumentParser.TryParse(toml, out var root, out var error), error?.ToString());
        Assert.NotEmpty(root.Entries);
    }

    [Fact]
    public void Toml11_NewlinesAndTrailingCommaInInlineTables_AreAccepted()
    {
        var root = Parse("t = {\n  a = 1, # one\n  b = \"\\e\\x41\",\n}\n");
        var table = (TomlTableNode)root["t"];

        Assert.Equal("\u001bA", ((TomlValueNode)table["b"]).Value);
        Assert.Equal(new TomlPosition(3, 3), Entry(table, "b").KeyPosition);
    }
}
