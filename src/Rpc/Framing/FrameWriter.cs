using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace Mesh.Rpc.Framing;

/// <summary>Writes a message as one gRPC frame into a buffer writer (no flush).</summary>
internal static class FrameWriter
{
    // Below this size the frame is written into one contiguous span; above it protobuf writes in chunks.
    private const int ContiguousLimit = 64 * 1024;

    public static int Write(IBufferWriter<byte> output, IMessage message, int maxSize)
    {
        var size = message.CalculateSize();
        if (size > maxSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Sending message larger than max ({size} vs. {maxSize}).");
        }

        if (size <= ContiguousLimit)
        {
            var span = output.GetSpan(Internal.GrpcProtocol.HeaderSize + size);
            span[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
            message.WriteTo(span.Slice(Internal.GrpcProtocol.HeaderSize, size));
            output.Advance(Internal.GrpcProtocol.HeaderSize + size);
        }
        else
        {
            var header = output.GetSpan(Internal.GrpcProtocol.HeaderSize);
            header[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)size);
            output.Advance(Internal.GrpcProtocol.HeaderSize);
            message.WriteTo(output);
        }

        return Internal.GrpcProtocol.HeaderSize + size;
    }
}
