namespace Mesh.Toml.Tests.Parsing;

public sealed class ValueKindTests
{
    private static T Value<T>(string toml, string key = "v")
        where T : TomlNode
    {
        var root = TomlParser.Parse(toml);
        return Assert.IsType<T>(root[key]);
    }

    [Theory]
    [InlineData("v = \"plain\"", "plain")]
    [InlineData("v = \"tab\\there \\\"q\\\" back\\\\slash\"", "tab\there \"q\" back\\slash")]
    [InlineData("v = \"\\b\\f\\n\\r\"", "\b\f\n\r")]
    [InlineData("v = \"\\u00E9\\U0001F600\"", "é😀")]
    [InlineData("v = 'C:\\Users\\no escapes'", "C:\\Users\\no escapes")]
    [InlineData("v = \"\"\"\nfirst\nsecond\"\"\"", "first\nsecond")]
    [InlineData("v = \"\"\"\r\nfirst\r\nsecond\"\"\"", "first\nsecond")]
    [InlineData("v = '''\r\nfirst\r\nsecond\r\n'''", "first\nsecond\n")]
    [InlineData("v = \"\"\"a\\r\\n\"\"\"", "a\r\n")]
    [InlineData("v = \"\"\"one \\\n     two \\\n\n   three\"\"\"", "one two three")]
    [InlineData("v = \"\"\"quote \"\" inside\"\"\"\"\"", "quote \"\" inside\"\"")]
    [InlineData("v = '''\nraw \\n text'''", "raw \\n text")]
    [InlineData("v = ''''quoted''''", "'quoted'")]
    [InlineData("v = \"\"", "")]
    public void String_AllKinds_Decode(string toml, string expected)
    {
        var node = Value<TomlString>(toml);
        Assert.Equal(TomlKind.String, node.Kind);
        Assert.Equal(expected, node.Value);
    }

    [Theory]
    [InlineData("v = 0", 0L)]
    [InlineData("v = +17", 17L)]
    [InlineData("v = -17", -17L)]
    [InlineData("v = 1_000_000", 1_000_000L)]
    [InlineData("v = 0xDEAD_beef", 0xDEADBEEFL)]
    [InlineData("v = 0o755", 493L)]
    [InlineData("v = 0b1101", 13L)]
    [InlineData("v = 9223372036854775807", long.MaxValue)]
    [InlineData("v = -9223372036854775808", long.MinValue)]
    [InlineData("v = 0x7FFFFFFFFFFFFFFF", long.MaxValue)]
    [InlineData("v = 0x00000000000000000001", 1L)]
    public void Integer_AllForms_Decode(string toml, long expected)
    {
        var node = Value<TomlInteger>(toml);
        Assert.Equal(TomlKind.Integer, node.Kind);
        Assert.Equal(expected, node.Value);
    }

    [Theory]
    [InlineData("v = 3.1415", 3.1415)]
    [InlineData("v = -0.01", -0.01)]
    [InlineData("v = 5e+22", 5e22)]
    [InlineData("v = 1E06", 1e6)]
    [InlineData("v = -2E-2", -0.02)]
    [InlineData("v = 6.626e-34", 6.626e-34)]
    [InlineData("v = 224_617.445_991_228", 224617.445991228)]
    [InlineData("v = inf", double.PositiveInfinity)]
    [InlineData("v = +inf", double.PositiveInfinity)]
    [InlineData("v = -inf", double.NegativeInfinity)]
    public void Float_AllForms_Decode(string toml, double expected)
    {
        var node = Value<TomlFloat>(toml);
        Assert.Equal(TomlKind.Float, node.Kind);
        Assert.Equal(expected, node.Value);
    }

    [Theory]
    [InlineData("v = nan")]
    [InlineData("v = +nan")]
    [InlineData("v = -nan")]
    public void Float_Nan_Decodes(string toml) => Assert.True(double.IsNaN(Value<TomlFloat>(toml).Value));

    [Fact]
    public void Float_NegativeZero_KeepsSign()
    {
        var node = Value<TomlFloat>("v = -0.0");
        Assert.True(double.IsNegative(node.Value));
        Assert.Equal(0.0, node.Value);
    }

    [Fact]
    public void Boolean_TrueAndFalse_Decode()
    {
        var root = TomlParser.Parse("t = true\nf = false\n");
        Assert.True(Assert.IsType<TomlBoolean>(root["t"]).Value);
        Assert.False(Assert.IsType<TomlBoolean>(root["f"]).Value);
        Assert.Equal(TomlKind.Boolean, root["t"].Kind);
    }

    [Theory]
    [InlineData("v = 1979-05-27T07:32:00Z", "1979-05-27T07:32:00Z", 0)]
    [InlineData("v = 1979-05-27t07:32:00z", "1979-05-27T07:32:00Z", 0)]
    [InlineData("v = 1979-05-27 00:32:00-07:00", "1979-05-27T00:32:00-07:00", -420)]
    [InlineData("v = 1979-05-27T00:32:00.999999+07:30", "1979-05-27T00:32:00.999999+07:30", 450)]
    public void OffsetDateTime_Decodes(string toml, string text, int offsetMinutes)
    {
        var node = Value<TomlDateTime>(toml);
        Assert.Equal(TomlKind.OffsetDateTime, node.Kind);
        Assert.Equal(text, node.Text);
        Assert.Equal(TimeSpan.FromMinutes(offsetMinutes), node.OffsetValue.Offset);
        Assert.Equal(DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture), node.OffsetValue);
    }

    [Fact]
    public void OffsetDateTime_OffsetBeyondDotNetRange_KeepsTheInstant()
    {
        var node = Value<TomlDateTime>("v = 2000-01-01T00:00:00+23:59");
        Assert.Equal("2000-01-01T00:00:00+23:59", node.Text);
        Assert.Equal(new DateTimeOffset(1999, 12, 31, 0, 1, 0, TimeSpan.Zero), node.OffsetValue);
    }

    [Fact]
    public void LocalDateTime_Decodes_AndTruncatesBeyondTicks()
    {
        var node = Value<TomlDateTime>("v = 1979-05-27T07:32:00.123456789");
        Assert.Equal(TomlKind.LocalDateTime, node.Kind);
        Assert.Equal("1979-05-27T07:32:00.123456789", node.Text);
        Assert.Equal(new DateTime(1979, 5, 27, 7, 32, 0).AddTicks(1234567), node.LocalDateTimeValue);
        Assert.Equal(DateTimeKind.Unspecified, node.LocalDateTimeValue.Kind);
    }

    [Fact]
    public void LocalDate_Decodes_IncludingLeapDay()
    {
        var node = Value<TomlDateTime>("v = 2024-02-29");
        Assert.Equal(TomlKind.LocalDate, node.Kind);
        Assert.Equal(new DateOnly(2024, 2, 29), node.DateValue);
        Assert.Equal("2024-02-29", node.Text);
        Assert.Throws<TomlException>(() => TomlParser.Parse("v = 1900-02-29"));
        Assert.Equal(new DateOnly(2000, 2, 29), Value<TomlDateTime>("v = 2000-02-29").DateValue);
    }

    [Fact]
    public void LocalTime_Decodes()
    {
        var node = Value<TomlDateTime>("v = 07:32:00.5");
        Assert.Equal(TomlKind.LocalTime, node.Kind);
        Assert.Equal(new TimeOnly(7, 32, 0, 500), node.TimeValue);
        Assert.Equal("07:32:00.5", node.Text);
    }

    [Fact]
    public void Array_MixedTypesAndNesting_Decode()
    {
        var array = Value<TomlArray>("v = [ 1, 'two', 3.0, [true], { x = 1 }, 1979-05-27, ] # trailing comma is fine");
        Assert.False(array.IsArrayOfTables);
        Assert.Equal(6, array.Count);
        Assert.Equal(
            [TomlKind.Integer, TomlKind.String, TomlKind.Float, TomlKind.Array, TomlKind.Table, TomlKind.LocalDate],
            array.Select(n => n.Kind).ToArray());
        Assert.True(((TomlTable)array[4]).IsInline);
    }

    [Fact]
    public void Array_SpansLinesWithComments()
    {
        var array = Value<TomlArray>("v = [\n  1, # one\n  2,\r\n  # nothing\n  3\n]\n");
        Assert.Equal([1L, 2L, 3L], array.Select(n => ((TomlInteger)n).Value).ToArray());
    }

    [Fact]
    public void InlineTable_WithDottedKeys_Decodes()
    {
        var table = Value<TomlTable>("v = { name = \"n\", point.x = 1, point.y = 2, empty = {} }");
        Assert.True(table.IsInline);
        Assert.Equal(["name", "point", "empty"], table.Keys.ToArray());
        var point = Assert.IsType<TomlTable>(table["point"]);
        Assert.True(point.IsInline);
        Assert.Equal(2, ((TomlInteger)point["y"]).Value);
        Assert.Empty((TomlTable)table["empty"]);
    }

    [Fact]
    public void Table_EnumeratesInInsertionOrder()
    {
        var root = TomlParser.Parse("z = 1\na = 2\nm = 3\n[b]\n[0]\n");
        Assert.Equal(["z", "a", "m", "b", "0"], root.Keys.ToArray());
        Assert.Equal(["z", "a", "m", "b", "0"], root.Select(p => p.Key).ToArray());
        Assert.False(root.IsInline);
    }

    [Fact]
    public void Table_MissingKey_ThrowsKeyNotFound()
    {
        var root = TomlParser.Parse("a = 1");
        Assert.False(root.TryGetValue("b", out _));
        Assert.Throws<KeyNotFoundException>(() => root["b"]);
        Assert.Throws<KeyNotFoundException>(() => root.GetKeySpan("b"));
    }

    [Fact]
    public void ArrayOfTables_BuildsElementsAndSubTables()
    {
        var root = TomlParser.Parse("""
            [[node]]
            name = "a"
            [node.labels]
            zone = "x"
            [[node.disk]]
            size = 1
            [[node.disk]]
            size = 2
            [[node]]
            name = "b"
            """);
        var nodes = Assert.IsType<TomlArray>(root["node"]);
        Assert.True(nodes.IsArrayOfTables);
        Assert.Equal(2, nodes.Count);
        var first = (TomlTable)nodes[0];
        Assert.Equal("x", ((TomlString)((TomlTable)first["labels"])["zone"]).Value);
        Assert.Equal(2, ((TomlArray)first["disk"]).Count);
        Assert.Equal("b", ((TomlString)((TomlTable)nodes[1])["name"]).Value);
    }

    [Fact]
    public void Keys_QuotedDottedAndWhitespace_Decode()
    {
        var root = TomlParser.Parse("\"a.b\" . 'c d' . e = 1\n\"\" = 2\n1234 = 3\n3.14 = 4\n");
        var ab = Assert.IsType<TomlTable>(root["a.b"]);
        Assert.Equal(1, ((TomlInteger)((TomlTable)ab["c d"])["e"]).Value);
        Assert.Equal(2, ((TomlInteger)root[""]).Value);
        Assert.Equal(3, ((TomlInteger)root["1234"]).Value);
        Assert.Equal(4, ((TomlInteger)((TomlTable)root["3"])["14"]).Value);
    }

    [Fact]
    public void Document_CrLfCommentsAndBlankLines_Decode()
    {
        var root = TomlParser.Parse("# header\r\n\r\na = 1 # c\r\n\t[t] # c\r\nb = 'x'\r\n");
        Assert.Equal(1, ((TomlInteger)root["a"]).Value);
        Assert.Equal("x", ((TomlString)((TomlTable)root["t"])["b"]).Value);
    }

    [Fact]
    public void ToString_OfScalars_UsesTomlSpelling()
    {
        var root = TomlParser.Parse("f = -inf\nn = nan\ng = 1.5\ni = -3\nb = true\nd = 1979-05-27 07:32:00\n");
        Assert.Equal("-inf", root["f"].ToString());
        Assert.Equal("nan", root["n"].ToString());
        Assert.Equal("1.5", root["g"].ToString());
        Assert.Equal("-3", root["i"].ToString());
        Assert.Equal("true", root["b"].ToString());
        Assert.Equal("1979-05-27T07:32:00", root["d"].ToString());
    }
}
