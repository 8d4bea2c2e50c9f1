using System.IO.Pipelines;
using Google.Protobuf;
using Mesh.Rpc.Framing;
using Mesh.Rpc.Tests.Interop;

namespace Mesh.Rpc.Tests.Framing;

public sealed class FrameReaderTests
{
    [Fact]
    public async Task ReadMessage_SplitAcrossWrites_Reassembled()
    {
        var pipe = new Pipe();
        var message = new EchoRequest { Payload = ByteString.CopyFrom(new byte[1000]) };
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        FrameWriter.Write(writer, message, int.MaxValue);
        var bytes = writer.WrittenMemory.ToArray();

        var read = FrameReader.ReadMessageAsync(pipe.Reader, EchoRequest.Parser, 4096, CancellationToken.None);
        for (var i = 0; i < bytes.Length; i += 7)
        {
            await pipe.Writer.WriteAsync(bytes.AsMemory(i, Math.Min(7, bytes.Length - i)));
        }

        await pipe.Writer.CompleteAsync();
        Assert.Equal(message, await read);
        Assert.Null(await FrameReader.ReadMessageAsync(pipe.Reader, EchoRequest.Parser, 4096, CancellationToken.None));
    }

    [Fact]
    public async Task ReadMessage_LengthAboveMax_ResourceExhaustedFromHeaderAlone()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0, 0, 0, 0x10, 0x01 });

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await FrameReader.ReadMessageAsync(pipe.Reader, EchoRequest.Parser, 4096, CancellationToken.None));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Equal("Received message larger than max (4097 vs. 4096).", ex.Detail);
    }

    [Theory]
    [InlineData(2, StatusCode.Internal)]
    [InlineData(0xFF, StatusCode.Internal)]
    [InlineData(1, StatusCode.Unimplemented)]
    public async Task ReadMessage_CompressedFlag_Rejected(byte flag, StatusCode expected)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { flag, 0, 0, 0, 0 });

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await FrameReader.ReadMessageAsync(pipe.Reader, EchoRequest.Parser, 4096, CancellationToken.None));

        Assert.Equal(expected, ex.StatusCode);
    }

    [Fact]
    public async Task ReadMessage_ZeroLengthFrame_DefaultMessage()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0, 0, 0, 0, 0 });
        await pipe.Writer.CompleteAsync();

        Assert.Equal(new EchoRequest(), await FrameReader.ReadMessageAsync(pipe.Reader, EchoRequest.Parser, 4096, CancellationToken.None));
    }

    [Fact]
    public void Write_AboveMaxSend_ResourceExhausted()
    {
        var ex = Assert.Throws<RpcException>(() => FrameWriter.Write(new System.Buffers.ArrayBufferWriter<byte>(), new EchoRequest { Payload = ByteString.CopyFrom(new byte[100]) }, 50));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }
}
