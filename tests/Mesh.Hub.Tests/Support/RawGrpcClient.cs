using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;

namespace Mesh.Hub.Tests.Support;

/// <summary>A bare HTTP/2 client that sends whatever bytes and headers a bad-input test needs.</summary>
internal sealed class RawGrpcClient : IDisposable
{
    private readonly HttpMessageInvoker _invoker;
    private readonly Uri _address;

    public RawGrpcClient(Uri address, X509Certificate2? ca = null, X509Certificate2? clientCertificate = null)
    {
        _address = address;
        var handler = GrpcTestClients.Handler(ca, clientCertificate);
        _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public async Task<RawResponse> SendAsync(
        string path,
        HttpContent? content,
        string? contentType = "application/grpc",
        bool te = true,
        Version? version = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_address, path))
        {
            Version = version ?? HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content ?? new ByteArrayContent([]),
        };
        request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        if (te)
        {
            request.Headers.TryAddWithoutValidation("te", "trailers");
        }

        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _invoker.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new RawResponse(
            response.StatusCode,
            Header(response, "grpc-status", trailers: false),
            Header(response, "grpc-message", trailers: false),
            Header(response, "grpc-status", trailers: true),
            Header(response, "grpc-message", trailers: true),
            body);
    }

    public static byte[] Frame(byte flag, uint declaredLength, byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = flag;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), declaredLength);
        payload.CopyTo(frame, 5);
        return frame;
    }

    private static string? Header(HttpResponseMessage response, string name, bool trailers)
    {
        var headers = trailers ? response.TrailingHeaders : (HttpHeaders)response.Headers;
        return headers.NonValidated.TryGetValues(name, out var values) ? values.Last() : null;
    }

    public void Dispose() => _invoker.Dispose();
}

/// <summary>What came back: HTTP status, status in headers (Trailers-Only) or in trailers.</summary>
internal sealed record RawResponse(HttpStatusCode HttpStatus, string? HeaderStatus, string? HeaderMessage, string? TrailerStatus, string? TrailerMessage, byte[] Body)
{
    /// <summary>The gRPC status, wherever it was.</summary>
    public StatusCode? GrpcStatus => (HeaderStatus ?? TrailerStatus) is { } s ? (StatusCode)int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : null;

    public string? GrpcMessage => Uri.UnescapeDataString(HeaderMessage ?? TrailerMessage ?? string.Empty);

    public bool TrailersOnly => HeaderStatus is not null && Body.Length == 0;
}

/// <summary>A request body written by the test, piece by piece, that stays open until released.</summary>
internal sealed class ControlledContent : HttpContent
{
    private readonly byte[] _first;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ControlledContent(byte[] first) => _first = first;

    public void Release() => _release.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(_first);
        await stream.FlushAsync();
        await _release.Task;
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
