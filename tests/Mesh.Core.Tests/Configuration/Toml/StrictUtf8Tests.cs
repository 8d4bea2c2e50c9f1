using Mesh.Core.Configuration.Toml;

namespace Mesh.Core.Tests.Configuration.Toml;

public sealed class StrictUtf8Tests
{
    [Fact]
    public void TryDecode_InvalidByte_ReportsItsOffset()
    {
        byte[] bytes = [.. "a = \"xé"u8, 0xFF, (byte)'"'];

        Assert.False(StrictUtf8.TryDecode(bytes, out _, out var offset));
        Assert.Equal(8, offset);
    }

    [Fact]
    public void TryDecode_EncodedSurrogate_IsRejected()
    {
        // U+D800 encoded as if it were a scalar value: ED A0 80.
        Assert.False(StrictUtf8.TryDecode([(byte)'a', (byte)'=', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"'], out _, out var offset));
        Assert.Equal(3, offset);
    }

    [Fact]
    public void TryDecode_ByteOrderMark_IsKeptForTomlynToSkip()
    {
        Assert.True(StrictUtf8.TryDecode([0xEF, 0xBB, 0xBF, (byte)'a'], out var text, out _));
        Assert.Equal("\uFEFFa", text);
    }
}
