using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace Mesh.Rpc.Framing;

/// <summary>
/// Reads length-prefixed gRPC messages (1-byte compressed flag, 4-byte big-endian length, payload).
/// Every check runs on the 5-byte header before the payload is buffered.
/// </summary>
internal static class FrameReader
{
    public const string CompressedNotSupported = "Received a compressed message, but this endpoint only accepts identity (uncompressed) messages.";
    public const string InvalidCompressedFlag = "Received a message with an invalid compressed flag; expected 0 or 1.";
    public const string IncompleteMessage = "Incomplete message: the stream ended inside a gRPC frame.";
    public const string ParseFailed = "Failed to deserialize the message.";

    public static string TooLarge(long size, int max) =>
        $"Received message larger than max ({size} vs. {max}).";

    /// <summary>
    /// Reads the next message. Returns null at a clean end of stream (no partial frame);
    /// throws <see cref="RpcException"/> for a malformed or oversized frame.
    /// </summary>
    public static async ValueTask<T?> ReadMessageAsync<T>(PipeReader reader, MessageParser<T> parser, int maxSize, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await ReadAsync(reader, cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryReadFrame(buffer, maxSize, out var payload, out var consumed))
            {
                T message;
                try
                {
                    message = parser.ParseFrom(payload);
                }
                catch (InvalidProtocolBufferException ex)
                {
                    reader.AdvanceTo(consumed);
                    throw new RpcException(new Status(StatusCode.Internal, ParseFailed), null, ex);
                }

                reader.AdvanceTo(consumed);
                return message;
            }

            if (result.IsCompleted)
            {
                var length = buffer.Length;
                reader.AdvanceTo(buffer.End);
                if (length == 0)
                {
                    return null;
                }

                throw new RpcException(StatusCode.Internal, IncompleteMessage);
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The read was canceled.");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    public const string MissingUnaryMessage = "The request ended without a message; this method expects exactly one request message.";
    public const string ExtraUnaryData = "Additional data after the request message; this method expects exactly one request message.";

    /// <summary>
    /// Takes the one request message without waiting when the whole request body (up to END_STREAM) is already
    /// buffered — the usual case for a unary call. False when it is not (nothing consumed; use the async read).
    /// </summary>
    public static bool TryReadSingleMessage<T>(PipeReader reader, MessageParser<T> parser, int maxSize, out T? message)
        where T : class, IMessage<T>
    {
        message = null;
        ReadResult result;
        try
        {
            if (!reader.TryRead(out result))
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is IOException or Microsoft.AspNetCore.Connections.ConnectionAbortedException)
        {
            throw new OperationCanceledException(PeerGone, ex);
        }

        if (!result.IsCompleted || result.IsCanceled)
        {
            reader.AdvanceTo(result.Buffer.Start);
            return false;
        }

        message = TakeSingle(reader, result.Buffer, parser, maxSize);
        return true;
    }

    // The request stream has ended: exactly one whole frame must be in the buffer.
    private static T TakeSingle<T>(PipeReader reader, ReadOnlySequence<byte> buffer, MessageParser<T> parser, int maxSize)
        where T : class, IMessage<T>
    {
        bool complete;
        ReadOnlySequence<byte> payload;
        SequencePosition consumed;
        try
        {
            complete = TryReadFrame(buffer, maxSize, out payload, out consumed);
        }
        catch
        {
            reader.AdvanceTo(buffer.End);
            throw;
        }

        if (!complete)
        {
            var empty = buffer.Length == 0;
            reader.AdvanceTo(buffer.End);
            throw new RpcException(StatusCode.Internal, empty ? MissingUnaryMessage : IncompleteMessage);
        }

        if (buffer.Slice(consumed).Length > 0)
        {
            reader.AdvanceTo(buffer.End);
            throw new RpcException(StatusCode.Internal, ExtraUnaryData);
        }

        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, ParseFailed), null, ex);
        }
        finally
        {
            reader.AdvanceTo(consumed);
        }
    }

    /// <summary>Reads the one message of a unary or server-streaming request, up to the end of the request stream.</summary>
    public static async ValueTask<T> ReadSingleMessageAsync<T>(PipeReader reader, MessageParser<T> parser, int maxSize, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await ReadAsync(reader, cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (result.IsCompleted)
            {
                return TakeSingle(reader, buffer, parser, maxSize);
            }

            // Fail early (oversized header, data after the message) without waiting for the end of the stream.
            bool complete;
            SequencePosition consumed;
            try
            {
                complete = TryReadFrame(buffer, maxSize, out _, out consumed);
            }
            catch
            {
                reader.AdvanceTo(buffer.End);
                throw;
            }

            if (complete && buffer.Slice(consumed).Length > 0)
            {
                reader.AdvanceTo(buffer.End);
                throw new RpcException(StatusCode.Internal, ExtraUnaryData);
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The read was canceled.");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    public const string PeerGone = "The peer reset the stream or closed the connection.";

    // A reset stream surfaces as IOException (Kestrel, HttpClient) or ConnectionAbortedException, sometimes before the
    // request's abort token fires: report it uniformly as cancellation, keeping the transport error inside.
    private static ValueTask<ReadResult> ReadAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        ValueTask<ReadResult> read;
        try
        {
            read = reader.ReadAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or Microsoft.AspNetCore.Connections.ConnectionAbortedException)
        {
            throw new OperationCanceledException(PeerGone, ex);
        }

        // Hot path: data already there, no extra state machine.
        return read.IsCompletedSuccessfully ? read : AwaitReadAsync(read);
    }

    private static async ValueTask<ReadResult> AwaitReadAsync(ValueTask<ReadResult> read)
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or Microsoft.AspNetCore.Connections.ConnectionAbortedException)
        {
            throw new OperationCanceledException(PeerGone, ex);
        }
    }

    /// <summary>True when a whole frame is in <paramref name="buffer"/>; validates the header as soon as it is there.</summary>
    public static bool TryReadFrame(in ReadOnlySequence<byte> buffer, int maxSize, out ReadOnlySequence<byte> payload, out SequencePosition consumed)
    {
        payload = default;
        consumed = default;
        if (buffer.Length < Internal.GrpcProtocol.HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[Internal.GrpcProtocol.HeaderSize];
        buffer.Slice(0, Internal.GrpcProtocol.HeaderSize).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        switch (header[0])
        {
            case 0:
                break;
            case 1:
                throw new RpcException(StatusCode.Unimplemented, CompressedNotSupported);
            default:
                throw new RpcException(StatusCode.Internal, InvalidCompressedFlag);
        }

        if (length > (uint)maxSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, TooLarge(length, maxSize));
        }

        var total = Internal.GrpcProtocol.HeaderSize + (long)length;
        if (buffer.Length < total)
        {
            return false;
        }

        payload = buffer.Slice(Internal.GrpcProtocol.HeaderSize, length);
        consumed = buffer.GetPosition(total);
        return true;
    }
}
