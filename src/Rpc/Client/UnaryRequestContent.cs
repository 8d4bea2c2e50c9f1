using System.Net;
using System.Net.Http.Headers;

namespace Mesh.Rpc.Client;

/// <summary>The body of a unary or server-streaming request: one pre-serialized frame.</summary>
internal sealed class UnaryRequestContent : HttpContent
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new(Internal.GrpcProtocol.ContentType);

    private readonly byte[] _frame;

    public UnaryRequestContent(byte[] frame)
    {
        _frame = frame;
        Headers.ContentType = GrpcContentType;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(_frame).AsTask();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(_frame, cancellationToken).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = _frame.Length;
        return true;
    }
}
