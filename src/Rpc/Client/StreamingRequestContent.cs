using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Google.Protobuf;
using Mesh.Rpc.Framing;

namespace Mesh.Rpc.Client;

/// <summary>
/// A request body fed from a bounded channel: messages are framed as they are dequeued and flushed whenever the
/// queue runs dry, so a single message goes out at once and a burst shares DATA frames. Completing the channel
/// ends the body (END_STREAM). Nothing is buffered beyond the channel's capacity.
/// </summary>
internal sealed class StreamingRequestContent<T> : HttpContent
    where T : class, IMessage<T>
{
    private const int BatchBytes = 32 * 1024;
    private static readonly MediaTypeHeaderValue GrpcContentType = new(Internal.GrpcProtocol.ContentType);

    private readonly Channel<T> _channel;
    private readonly int _maxSendSize;

    public StreamingRequestContent(int capacity, int maxSendSize)
    {
        _channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _maxSendSize = maxSendSize;
        Headers.ContentType = GrpcContentType;
    }

    public ChannelWriter<T> Writer => _channel.Writer;

    public int MaxSendSize => _maxSendSize;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var reader = _channel.Reader;
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            // Send the request headers now: HttpClient holds them back until the body's first flush, and a duplex
            // server may answer (headers, messages) before we send anything.
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    FrameWriter.Write(buffer, message, _maxSendSize);
                    if (buffer.WrittenCount >= BatchBytes)
                    {
                        await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                        buffer.ResetWrittenCount();
                    }
                }

                if (buffer.WrittenCount > 0)
                {
                    await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                    buffer.ResetWrittenCount();
                }

                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // Writers waiting on a full queue must not hang once the body can no longer be sent.
            _channel.Writer.TryComplete(ex);
            throw;
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
