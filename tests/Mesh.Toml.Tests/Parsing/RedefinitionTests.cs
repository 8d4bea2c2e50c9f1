namespace Mesh.Toml.Tests.Parsing;

/// <summary>TOML 1.0's rules for defining tables and keys once.</summary>
public sealed class RedefinitionTests
{
    [Theory]
    [InlineData("[a]\n[a]\n", 2, 2, "table 'a' is already defined at line 1, column 2")]
    [InlineData("[a.b]\n[a]\n[a]\n", 3, 2, "table 'a' is already defined at line 2, column 2")]
    [InlineData("[a]\nb = 1\n[a.b]\n", 3, 4, "cannot define table 'a.b': the key is already an integer (defined at line 2, column 1)")]
    [InlineData("a = 1\na = 2\n", 2, 1, "duplicate key 'a': already defined as an integer")]
    [InlineData("a = 1\n'a' = 2\n", 2, 1, "duplicate key 'a'")]
    [InlineData("a = 1\n\"a\" = 2\n", 2, 1, "duplicate key 'a'")]
    [InlineData("a.b = 1\na = 2\n", 2, 1, "duplicate key 'a': already defined as a table")]
    [InlineData("a = 1\na.b = 2\n", 2, 1, "cannot use key 'a' as a table: it is already an integer")]
    [InlineData("a.b = 1\n[a]\n", 2, 2, "table 'a' is already defined by dotted keys at line 1, column 1")]
    [InlineData("[fruit]\napple.color = 'red'\n[fruit.apple]\n", 3, 8, "table 'fruit.apple' is already defined by dotted keys")]
    [InlineData("[a.b.c]\n[a]\nb.c.d = 1\n", 3, 1, "cannot use dotted key 'b.c.d' to add to table 'b', which is defined by a [header]")]
    [InlineData("[a.b]\n[a]\nb.x = 1\n", 3, 1, "which is defined by a [header]")]
    [InlineData("a = { b = 1 }\na.c = 2\n", 2, 1, "cannot add keys to inline table 'a'")]
    [InlineData("a = { b = 1 }\n[a]\n", 2, 2, "table 'a' is already defined as an inline table")]
    [InlineData("a = { b = 1 }\n[a.c]\n", 2, 2, "cannot add to inline table 'a'")]
    [InlineData("a = { b = { c = 1 } }\n[a.b.d]\n", 2, 2, "cannot add to inline table 'a'")]
    [InlineData("a = { b.c = 1, b = 2 }\n", 1, 16, "duplicate key 'b': already defined as a table")]
    [InlineData("a = { b = {}, b.c = 2 }\n", 1, 15, "cannot add keys to inline table 'b'")]
    [InlineData("a = []\n[[a]]\n", 2, 3, "cannot append to 'a' with [[a]]: it is a static array")]
    [InlineData("a = [{}]\n[a.b]\n", 2, 2, "cannot use 'a' as a table: it is a static array")]
    [InlineData("[[a]]\n[a]\n", 2, 2, "'a' is already an array of tables (defined at line 1, column 3); use [[a]] to add an element")]
    [InlineData("[a]\n[[a]]\n", 2, 3, "cannot define 'a' as an array of tables: it is already a table")]
    [InlineData("[[a.b]]\n[a]\nb.c = 1\n", 3, 1, "cannot use key 'b' as a table: it is already an array")]
    [InlineData("[[a]]\n[a.b]\n[[a.b]]\n", 3, 5, "cannot define 'a.b' as an array of tables: it is already a table")]
    [InlineData("a = true\n[[a]]\n", 2, 3, "cannot define 'a' as an array of tables: the key is already a boolean")]
    [InlineData("a = 'x'\n[a.b]\n", 2, 2, "cannot use 'a' as a table: it is already a string")]
    public void Redefinition_IsRejected_AtTheSecondDefinition(string toml, int line, int column, string message)
    {
        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse(toml));
        var diagnostic = Assert.Single(ex.Diagnostics);
        Assert.Contains(message, diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(new TomlPosition(line, column), diagnostic.Span.Start);
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
    [InlineData("[a]\n[b]\n[a.c]\n")]
    [InlineData("a = { b.c = 1, b.d = 2 }\n")]
    public void Definition_AllowedBySpec_IsAccepted(string toml)
    {
        Assert.True(TomlParser.TryParse(toml, null, out var root, out var diagnostics), string.Join("\n", diagnostics));
        Assert.NotEmpty(root);
    }

    [Fact]
    public void SuperTable_AfterSubTable_MergesBoth()
    {
        var root = TomlParser.Parse("[a.b]\nx = 1\n[a]\ny = 2\n");
        var a = Assert.IsType<TomlTable>(root["a"]);
        Assert.Equal(["b", "y"], a.Keys.ToArray());
        Assert.Equal(1, ((TomlInteger)((TomlTable)a["b"])["x"]).Value);
    }
}
