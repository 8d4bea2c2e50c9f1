using Mesh.Core.Configuration.Toml;

namespace Mesh.Core.Tests.Configuration.Toml;

/// <summary>Malformed TOML a configuration author may write: one diagnostic, at the offending token, in Mesh's shape.</summary>
public sealed class TomlDiagnosticTests
{
    [Theory]
    [InlineData("listen 8080\n", 1, 8, "Expecting `=` after a key")]
    [InlineData("[server]\nlisten: 8080\n", 2, 7, "Expecting `=` after a key")]
    [InlineData("a = 1\nb = \n", 2, 5, "while expecting a value")]
    [InlineData("a = 1\nb = # nothing\n", 2, 14, "while expecting a value")]
    [InlineData("name = hello\n", 1, 8, "Unexpected token `hello` for a value")]
    [InlineData("b = True\n", 1, 5, "Unexpected token `True` for a value")]
    [InlineData("a = 1\n\n  b = 2 3\n", 3, 9, "while expecting token `newline`")]
    [InlineData("s = \"C:\\data\"\n", 1, 9, "Unexpected escape character [d] in string")]
    [InlineData("s = \"abc\nt = 1\n", 1, 9, "Invalid newline in a string")]
    [InlineData("s = \"\"\"abc\n\ndef", 3, 3, "Invalid End-Of-File found for multi-line string")]
    [InlineData("x = [\"gpu\", \"docker\"\nname = \"x\"\n", 2, 1, "Expecting a closing `]` for an array")]
    [InlineData("x = [1 2]\n", 1, 8, "Missing a `,`")]
    [InlineData("n = 0123\n", 1, 5, "Unexpected leading zero")]
    [InlineData("n = 9223372036854775808\n", 1, 5, "Unable to parse integer")]
    [InlineData("d = 2023-02-29\n", 1, 5, "Unable to parse the date time/offset `2023-02-29`")]
    [InlineData("[a\nb = 1\n", 1, 3, "while expecting `]`")]
    [InlineData("[[a]\n", 1, 4, "while expecting `]]`")]
    [InlineData("a = 1\na = 2\n", 2, 1, "The key `a` is already defined at (1,1)")]
    [InlineData("a = 1\n\"a\" = 2\n", 2, 1, "The key `a` is already defined at (1,1)")]
    [InlineData("[a]\nx = 1\n[a]\n", 3, 1, "The key `a` is already defined at (1,1)")]
    [InlineData("a.b = 1\n[a]\n", 2, 1, "The key `a` is already defined at (1,1)")]
    [InlineData("[a.b]\n[a]\nb.x = 1\n", 3, 1, "The key `a.b` is already defined at (1,1)")]
    [InlineData("a = { b = 1 }\na.c = 2\n", 2, 1, "The key `a` is already defined at (1,1)")]
    [InlineData("a = []\n[[a]]\n", 2, 1, "The key `a` is already defined at (1,1)")]
    [InlineData("a = 1 # bad \u0001 comment\n", 1, 13, "Invalid control character U+0001 in comment")]
    [InlineData("a = \"x\u0007\"\n", 1, 5, "Invalid control character")]
    [InlineData("a = 1\r\nb = 2\rc = 3\n", 2, 6, "Invalid \\r not followed by \\n")]
    [InlineData("= 1\n", 1, 1, "Unexpected token [=]")]
    public void Parse_MalformedInput_ReportsOneErrorAtTheToken(string toml, int line, int column, string message)
    {
        var error = Refused(toml, line, column);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"mesh.toml({line},{column}): error: ", error.ToString("mesh.toml"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("n = 0x8000000000000000\n", "0x8000000000000000")]
    [InlineData("n = 0xFFFF_FFFF_FFFF_FFFF\n", "0xFFFF_FFFF_FFFF_FFFF")]
    [InlineData("n = 0b1000000000000000000000000000000000000000000000000000000000000000\n", "0b1")]
    public void Parse_NonDecimalIntegerAbove64Bits_IsRejectedInsteadOfWrapping(string toml, string literal)
    {
        var error = Refused(toml, 1, 5);

        Assert.Contains(literal, error.Message, StringComparison.Ordinal);
        Assert.Contains("out of range for a 64-bit signed integer", error.Message, StringComparison.Ordinal);
    }

    // Tomlyn 2.11.1's validator lets these through (a header over a key that is not the last of its table, or over a
    // key of an array-of-tables element); TomlModelBuilder refuses them.
    [Theory]
    [InlineData("[a]\nb = 1\nc = 2\n[a.b]\n", 4, 4, "The key `b` is already defined at (2,1)")]
    [InlineData("[fruit]\ntype = \"apple\"\n\n\napple = \"yes\"\n[fruit.type]", 6, 8, "The key `type` is already defined at (2,1)")]
    [InlineData("[[a]]\nb = 1\n[a.b]\n", 3, 4, "The key `b` is already defined at (2,1)")]
    [InlineData("[[a]]\nb = 1\n[[a.b]]\n", 3, 5, "The key `b` is already defined at (2,1)")]
    [InlineData("[[a]]\nb.c = 1\n[a.b]\n", 3, 4, "The key `b` is already defined at (2,1)")]
    public void Parse_RedefinitionTomlynMisses_IsRejected(string toml, int line, int column, string message)
    {
        Assert.Equal(message + " and cannot be redefined", Refused(toml, line, column).Message);
    }

    [Fact]
    public void Parse_LargestNonDecimalIntegers_AreAccepted()
    {
        Assert.True(TomlDocumentParser.TryParse("h = 0x7FFFFFFFFFFFFFFF\no = 0o777777777777777777777\nb = 0b0\n", out var root, out var error), error?.ToString());

        Assert.Equal(long.MaxValue, ((TomlValueNode)root["h"]).Value);
        Assert.Equal(long.MaxValue, ((TomlValueNode)root["o"]).Value);
    }

    [Fact]
    public void Parse_UnclosedStringInAHeader_ReportsTheStringNotTheEndOfFile()
    {
        Assert.False(TomlDocumentParser.TryParse("[a.\"b\nc = 1\n", out _, out var error));

        Assert.Equal(new TomlPosition(1, 6), error.Position);
        Assert.Contains("Invalid newline in a string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DeepNesting_IsRejectedInsteadOfOverflowingTheStack()
    {
        var deep = "a = " + new string('[', 100_000) + new string(']', 100_000);

        Assert.False(TomlDocumentParser.TryParse(deep, out _, out var error));
        Assert.Contains("maximum depth of 64", error.Message, StringComparison.Ordinal);
        Assert.True(TomlDocumentParser.TryParse("a = " + new string('[', 60) + new string(']', 60), out _, out _));
    }

    [Fact]
    public void Parse_ByteOrderMark_IsSkippedAndNotCountedAsAColumn()
    {
        Assert.True(TomlDocumentParser.TryParse("\uFEFFa = 1\n", out var root, out _));
        Assert.Equal(1L, ((TomlValueNode)root["a"]).Value);

        Assert.False(TomlDocumentParser.TryParse("\uFEFFa = x\n", out _, out var error));
        Assert.Equal(new TomlPosition(1, 5), error.Position);
    }

    [Theory]
    [InlineData("\uFEFF\uFEFFa = 1\n")]
    [InlineData("a = 1\n\uFEFFb = 2\n")]
    public void Parse_ByteOrderMarkNotAtTheStart_IsRejected(string toml)
    {
        Assert.False(TomlDocumentParser.TryParse(toml, out _, out _));
    }

    [Fact]
    public void Parse_LoneSurrogate_IsRejectedAtTheCharacter()
    {
        Assert.False(TomlDocumentParser.TryParse("a = \"x\uD800\"\n", out _, out var error));

        Assert.Equal(new TomlPosition(1, 7), error.Position);
        Assert.Contains("surrogate", error.Message, StringComparison.Ordinal);
    }

    private static TomlError Refused(string toml, int line, int column)
    {
        Assert.False(TomlDocumentParser.TryParse(toml, out _, out var error));
        Assert.Equal(new TomlPosition(line, column), error.Position);
        return error;
    }
}
