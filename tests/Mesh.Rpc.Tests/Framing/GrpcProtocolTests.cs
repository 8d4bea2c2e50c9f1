using Mesh.Rpc.Internal;

namespace Mesh.Rpc.Tests.Framing;

public sealed class GrpcProtocolTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("4990m", 49_900_000L)]
    [InlineData("250u", 2_500L)]
    [InlineData("1000n", 10L)]
    [InlineData("99999999S", 999_999_990_000_000L)]
    public void TryParseTimeout_ValidUnits_Parsed(string header, long ticks)
    {
        Assert.True(GrpcProtocol.TryParseTimeout(header, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("10x")]
    [InlineData("-1S")]
    [InlineData("123456789S")]
    [InlineData("1.5S")]
    [InlineData(null)]
    public void TryParseTimeout_Malformed_False(string? header) =>
        Assert.False(GrpcProtocol.TryParseTimeout(header, out _));

    [Theory]
    [InlineData(500, "500000u")]
    [InlineData(120_000, "120000m")]
    [InlineData(1, "1000u")]
    public void FormatTimeout_FitsEightDigits_RoundTrips(int milliseconds, string expected)
    {
        var formatted = GrpcProtocol.FormatTimeout(TimeSpan.FromMilliseconds(milliseconds));

        Assert.Equal(expected, formatted);
        Assert.True(GrpcProtocol.TryParseTimeout(formatted, out var parsed));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), parsed);
    }

    [Fact]
    public void FormatTimeout_Huge_StaysWithinEightDigits()
    {
        var formatted = GrpcProtocol.FormatTimeout(TimeSpan.FromDays(20_000));

        Assert.True(formatted.Length <= 9, formatted);
        Assert.True(GrpcProtocol.TryParseTimeout(formatted, out var parsed));
        Assert.True(parsed >= TimeSpan.FromDays(20_000));
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("100%", "100%25")]
    [InlineData("é", "%C3%A9")]
    [InlineData("line\nbreak", "line%0Abreak")]
    [InlineData("✓", "%E2%9C%93")]
    public void EncodeMessage_PercentEncodesOutsidePrintableAscii(string message, string expected)
    {
        Assert.Equal(expected, GrpcProtocol.EncodeMessage(message));
        Assert.Equal(message, GrpcProtocol.DecodeMessage(expected));
    }

    [Theory]
    [InlineData("%ZZbad", "%ZZbad")]
    [InlineData("trailing%", "trailing%")]
    [InlineData("%4", "%4")]
    public void DecodeMessage_MalformedEscape_KeptLiterally(string value, string expected) =>
        Assert.Equal(expected, GrpcProtocol.DecodeMessage(value));

    [Theory]
    [InlineData("AAH+/w", new byte[] { 0, 1, 0xFE, 0xFF })]
    [InlineData("AAH+/w==", new byte[] { 0, 1, 0xFE, 0xFF })]
    [InlineData("", new byte[0])]
    public void TryDecodeBinaryHeader_PaddedOrNot(string value, byte[] expected)
    {
        Assert.True(GrpcProtocol.TryDecodeBinaryHeader(value, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void EncodeBinaryHeader_Unpadded() =>
        Assert.Equal("AAH+/w", GrpcProtocol.EncodeBinaryHeader([0, 1, 0xFE, 0xFF]));

    [Fact]
    public void TryDecodeBinaryHeader_NotBase64_False() =>
        Assert.False(GrpcProtocol.TryDecodeBinaryHeader("not base64!", out _));

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/GRPC; charset=utf-8", true)]
    [InlineData("application/grpc+json", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void IsProtoGrpcContentType(string? contentType, bool expected) =>
        Assert.Equal(expected, GrpcProtocol.IsProtoGrpcContentType(contentType));
}
