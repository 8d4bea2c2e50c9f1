using Mesh.Core.Readiness;

namespace Mesh.Core.Tests.Readiness;

public sealed class HubReadyLineTests
{
    [Fact]
    public void PrintedLine_ParsesBackToTheSameAddresses()
    {
        var line = new HubReadyLine(new Uri("http://127.0.0.1:8080"), new Uri("https://127.0.0.1:50051")).ToString();

        Assert.Equal("mesh hub ready: web http://127.0.0.1:8080, internal gRPC https://127.0.0.1:50051", line);
        Assert.Equal(new HubReadyLine(new Uri("http://127.0.0.1:8080"), new Uri("https://127.0.0.1:50051")), HubReadyLine.Parse(line));
    }

    [Fact]
    public void WithoutInternalApi_HasOnlyTheWebAddress()
    {
        var line = new HubReadyLine(new Uri("http://[::1]:9000"), null).ToString();

        Assert.Equal("mesh hub ready: web http://[::1]:9000", line);
        Assert.Null(HubReadyLine.Parse(line).InternalGrpc);
    }

    [Theory]
    [InlineData("mesh node ready: node main")]
    [InlineData("mesh hub ready: web not a url, internal gRPC https://127.0.0.1:1")]
    [InlineData("mesh hub ready: web http://127.0.0.1:1, internal gRPC ::nope")]
    public void OtherLines_AreAFormatErrorNamingTheLine(string line)
    {
        var ex = Assert.Throws<FormatException>(() => HubReadyLine.Parse(line));

        Assert.Contains(line, ex.Message, StringComparison.Ordinal);
    }
}
