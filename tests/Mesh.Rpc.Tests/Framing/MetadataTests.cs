namespace Mesh.Rpc.Tests.Framing;

public sealed class MetadataTests
{
    [Fact]
    public void Add_UppercaseKey_Lowercased() =>
        Assert.Equal("x-trace", new Metadata().Add("X-Trace", "1")[0].Key);

    [Theory]
    [InlineData("bad key")]
    [InlineData("ключ")]
    [InlineData("grpc-status")]
    [InlineData("a:b")]
    public void Add_InvalidOrReservedKey_Throws(string key) =>
        Assert.Throws<ArgumentException>(() => new Metadata().Add(key, "v"));

    [Fact]
    public void Add_BinaryValueOnStringKey_Throws() =>
        Assert.Throws<ArgumentException>(() => new Metadata().Add("x-data", [1, 2]));

    [Fact]
    public void Add_StringValueOnBinKey_Throws() =>
        Assert.Throws<ArgumentException>(() => new Metadata().Add("x-data-bin", "text"));

    [Fact]
    public void Add_NonAsciiStringValue_ThrowsWithAdvice()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Metadata().Add("x-name", "é"));
        Assert.Contains("-bin", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_ReturnsLastValue_CaseInsensitive()
    {
        var metadata = new Metadata().Add("x-a", "1").Add("x-a", "2");

        Assert.Equal("2", metadata.GetValue("X-A"));
        Assert.Equal(2, metadata.GetAll("x-a").Count());
    }

    [Fact]
    public void StatusDetailsBin_Allowed() =>
        Assert.True(new Metadata().Add("grpc-status-details-bin", [1])[0].IsBinary);
}
