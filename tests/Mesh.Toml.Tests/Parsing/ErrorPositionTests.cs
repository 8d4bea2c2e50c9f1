using System.Text;

namespace Mesh.Toml.Tests.Parsing;

public sealed class ErrorPositionTests
{
    [Theory]
    [InlineData("listen 8080\n", 1, 8, "expected '=' after key 'listen'")]
    [InlineData("[server]\nlisten: 8080\n", 2, 7, "expected '=' after key 'listen'")]
    [InlineData("a = 1\nb = \n", 2, 5, "missing value for key 'b'")]
    [InlineData("a = 1\nb = # nothing\n", 2, 5, "missing value for key 'b'")]
    [InlineData("name = hello\n", 1, 8, "invalid value 'hello'; strings must be quoted")]
    [InlineData("a = 1\n\n  b = 2 3\n", 3, 9, "unexpected character '3' after a value; expected a newline or a comment")]
    [InlineData("s = \"abc\\qdef\"\n", 1, 9, "invalid escape sequence '\\q'")]
    [InlineData("s = \"abc\n", 1, 9, "unterminated string")]
    [InlineData("s = \"\"\"abc\n\ndef", 1, 5, "unterminated multi-line string")]
    [InlineData("x = [1, 2\n", 1, 5, "unterminated array for key 'x'")]
    [InlineData("x = [1 2]\n", 1, 8, "unexpected character '2' in array for key 'x'; expected ',' or ']'")]
    [InlineData("t = { a = 1, }\n", 1, 14, "trailing comma is not allowed in inline table")]
    [InlineData("t = { a = 1,\n b = 2 }\n", 1, 13, "newline in inline table for key 't'")]
    [InlineData("n = 0123\n", 1, 5, "leading zeros are not allowed")]
    [InlineData("n = 1__2\n", 1, 6, "an underscore must be between two digits")]
    [InlineData("n = 9223372036854775808\n", 1, 5, "out of range for a 64-bit signed integer")]
    [InlineData("n = 0x8000000000000000\n", 1, 5, "out of range for a 64-bit signed integer")]
    [InlineData("n = 0b102\n", 1, 9, "invalid binary integer '0b102': unexpected character '2'")]
    [InlineData("f = 1.\n", 1, 6, "a decimal point must be followed by digits")]
    [InlineData("f = 1e\n", 1, 6, "the exponent has no digits")]
    [InlineData("d = 2023-02-29\n", 1, 13, "day must be 01 to 28 in 2023-02")]
    [InlineData("d = 2023-13-01\n", 1, 10, "month must be 01 to 12")]
    [InlineData("d = 2023-01-01T25:00:00\n", 1, 16, "hour must be 00 to 23")]
    [InlineData("d = 2023-01-01T10:00Z\n", 1, 21, "seconds are required")]
    [InlineData("[a]\nx = 1\n[a]\n", 3, 2, "table 'a' is already defined at line 1, column 2")]
    [InlineData("a = 1\na = 2\n", 2, 1, "duplicate key 'a': already defined as an integer at line 1, column 1")]
    [InlineData("[a\nb = 1\n", 1, 3, "unexpected newline in table header; expected ']'")]
    [InlineData("[[a]\n", 1, 5, "unexpected newline in array-of-tables header; expected ']]'")]
    [InlineData("a = 1 # bad \u0001 comment\n", 1, 13, "control character U+0001 is not allowed in a comment")]
    [InlineData("a = 1\r\nb = 2\rc = 3\n", 2, 6, "carriage return (U+000D) must be followed by a line feed")]
    [InlineData("a = \"x\u0007\"\n", 1, 7, "control character U+0007 is not allowed in a string")]
    [InlineData("b = True\n", 1, 5, "booleans are lower case")]
    [InlineData("\"\"\"key\"\"\" = 1\n", 1, 1, "a multi-line string cannot be used as a key")]
    [InlineData("= 1\n", 1, 1, "missing key before '='")]
    [InlineData("a.b = 1\na.b.c = 2\n", 2, 3, "cannot use key 'a.b' as a table: it is already an integer (defined at line 1, column 3)")]
    public void Parse_MalformedInput_ReportsExactPosition(string toml, int line, int column, string message)
    {
        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse(toml, "mesh.toml"));
        var diagnostic = Assert.Single(ex.Diagnostics);
        Assert.Contains(message, diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(new TomlPosition(line, column), diagnostic.Span.Start);
        Assert.Equal("mesh.toml", diagnostic.Path);
        Assert.StartsWith($"mesh.toml({line},{column}): error: ", diagnostic.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnostic_ToString_UsesTomlynFormat()
    {
        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse("[server]\nport = 80\n\nlisten  8080\n", "mesh.toml"));
        Assert.Equal("mesh.toml(4,9): error: expected '=' after key 'listen'", ex.Diagnostics[0].ToString());
        Assert.Equal(ex.Diagnostics[0].ToString(), ex.Message);
    }

    [Fact]
    public void Diagnostic_WithoutPath_UsesInputPlaceholder()
    {
        Assert.False(TomlParser.TryParse("a = ", null, out var root, out var diagnostics));
        Assert.Null(root);
        Assert.Equal("<input>(1,5): error: missing value for key 'a'", Assert.Single(diagnostics).ToString());
    }

    [Fact]
    public void TryParse_ValidInput_ReturnsTableAndNoDiagnostics()
    {
        Assert.True(TomlParser.TryParse("a = 1", "x.toml", out var root, out var diagnostics));
        Assert.Empty(diagnostics);
        Assert.Equal(1, ((TomlInteger)root["a"]).Value);
    }

    [Fact]
    public void ParseUtf8_InvalidByte_ReportsLineAndColumn()
    {
        var bytes = Encoding.UTF8.GetBytes("a = 1\nb = \"xé").Concat(new byte[] { 0xFF, (byte)'"', (byte)'\n' }).ToArray();
        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse(bytes, "c.toml"));
        Assert.Equal("c.toml(2,8): error: invalid UTF-8 byte 0xFF (the document must be UTF-8 encoded)", ex.Diagnostics[0].ToString());
    }

    [Fact]
    public void ParseUtf8_EncodedSurrogate_IsRejected()
    {
        // U+D800 encoded as if it were a scalar value: ED A0 80.
        var bytes = new byte[] { (byte)'a', (byte)'=', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"' };
        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse(bytes));
        Assert.Equal(new TomlPosition(1, 4), ex.Diagnostics[0].Span.Start);
    }

    [Fact]
    public void ParseString_LoneSurrogate_IsRejected()
    {
        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse("a = \"x\uD800\"\n"));
        Assert.Contains("unpaired surrogate U+D800", ex.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.Equal(new TomlPosition(1, 7), ex.Diagnostics[0].Span.Start);
    }

    [Fact]
    public void Parse_ByteOrderMark_IsIgnoredAndNotCountedAsAColumn()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("a = x\n")).ToArray();
        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse(bytes));
        Assert.Equal(new TomlPosition(1, 5), ex.Diagnostics[0].Span.Start);

        var root = TomlParser.Parse("\uFEFFa = 1\n");
        Assert.Equal(1, ((TomlInteger)root["a"]).Value);
    }

    [Fact]
    public void Parse_ByteOrderMarkNotAtStart_IsRejected()
    {
        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse("a = 1\n\uFEFFb = 2\n"));
        Assert.Equal(new TomlPosition(2, 1), ex.Diagnostics[0].Span.Start);
        Assert.Contains("U+FEFF", ex.Diagnostics[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ErrorSpan_CoversTheWholeBadToken()
    {
        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse("key = 99999999999999999999 # too big\n"));
        var span = ex.Diagnostics[0].Span;
        Assert.Equal(new TomlPosition(1, 7), span.Start);
        Assert.Equal(new TomlPosition(1, 27), span.End);
    }

    [Fact]
    public void Parse_DeepNesting_IsRejectedInsteadOfOverflowingTheStack()
    {
        var deep = "a = " + new string('[', 100_000) + new string(']', 100_000);
        var ex = Assert.Throws<TomlException>(() => TomlParser.Parse(deep));
        Assert.Equal(new TomlPosition(1, 5 + 128), ex.Diagnostics[0].Span.Start);
        Assert.Contains("nested more than 128 deep", ex.Diagnostics[0].Message, StringComparison.Ordinal);

        var ok = "a = " + new string('[', 128) + new string(']', 128);
        Assert.Equal(TomlKind.Array, TomlParser.Parse(ok)["a"].Kind);
    }
}
