using System.IO.Pipelines;
using System.Net;
using Google.Protobuf;
using Mesh.Rpc.Framing;
using Mesh.Rpc.Internal;

namespace Mesh.Rpc.Client;

/// <summary>
/// One client call of any kind: sends the HTTP/2 request, validates the response headers (Trailers-Only included),
/// reads response frames and resolves the final status exactly once.
/// </summary>
internal sealed class ClientCall<TRequest, TResponse> : IClientCall
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private const int ReasonNone = 0;
    private const int ReasonCancelled = 1;
    private const int ReasonDeadline = 2;
    private const int ReasonDisposed = 3;

    private readonly RpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource<Metadata> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private CancellationTokenRegistration _userRegistration;
    private ITimer? _deadlineTimer;
    private int _cancelReason;
    private Task<HttpResponseMessage>? _responseTask;
    private HttpResponseMessage? _response;
    private PipeReader? _body;
    private Status? _status;
    private Metadata? _trailers;
    private StreamingRequestContent<TRequest>? _requestContent;

    public ClientCall(RpcChannel channel, Method<TRequest, TResponse> method, CallOptions options)
    {
        _channel = channel;
        _method = method;
        _options = options;
        _headers.Task.ObserveFaults();
    }

    public Task<Metadata> ResponseHeadersAsync => _headers.Task;

    public StreamingRequestContent<TRequest>? RequestContent => _requestContent;

    public Status GetStatus() => _status ?? throw new InvalidOperationException("The call has not finished; read the response to its end first.");

    public Metadata GetTrailers() => _trailers ?? throw new InvalidOperationException("The call has not finished; read the response to its end first.");

    /// <summary>Starts a unary or server-streaming call with its single request message.</summary>
    public void StartWithMessage(TRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var size = request.CalculateSize();
        if (size > _channel.Options.MaxSendMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Sending message larger than max ({size} vs. {_channel.Options.MaxSendMessageSize}).");
        }

        var frame = new byte[GrpcProtocol.HeaderSize + size];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)size);
        request.WriteTo(frame.AsSpan(GrpcProtocol.HeaderSize));
        Start(new UnaryRequestContent(frame));
    }

    /// <summary>Starts a client-streaming or duplex call; messages flow through <see cref="RequestContent"/>.</summary>
    public void StartStreaming()
    {
        _requestContent = new StreamingRequestContent<TRequest>(_channel.Options.RequestStreamBufferCapacity, _channel.Options.MaxSendMessageSize);
        Start(_requestContent);
    }

    private void Start(HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _channel.GetUri(_method.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation(GrpcProtocol.TeHeader, GrpcProtocol.Trailers);
        headers.TryAddWithoutValidation("user-agent", GrpcProtocol.UserAgent);
        if (_options.Headers is { } metadata)
        {
            foreach (var entry in metadata)
            {
                headers.TryAddWithoutValidation(entry.Key, MetadataConverter.ToHeaderValue(entry));
            }
        }

        if (_options.Deadline is { } deadline)
        {
            var time = _channel.Options.TimeProvider;
            var remaining = deadline.ToUniversalTime() - time.GetUtcNow().UtcDateTime;
            if (remaining <= TimeSpan.Zero)
            {
                request.Dispose();
                Fail(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"));
                _responseTask = Task.FromException<HttpResponseMessage>(new RpcException(_status!.Value, _trailers)).ObserveFaults();
                return;
            }

            if (remaining < TimeSpan.FromDays(30))
            {
                headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.FormatTimeout(remaining));
                _deadlineTimer = time.CreateTimer(static s => ((ClientCall<TRequest, TResponse>)s!).Cancel(ReasonDeadline), this, remaining, Timeout.InfiniteTimeSpan);
            }
        }

        if (_options.CancellationToken.CanBeCanceled)
        {
            _userRegistration = _options.CancellationToken.UnsafeRegister(static s => ((ClientCall<TRequest, TResponse>)s!).Cancel(ReasonCancelled), this);
        }

        _responseTask = SendAsync(request).ObserveFaults();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        HttpResponseMessage response;
        try
        {
            response = await _channel.Invoker.SendAsync(request, _cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var failure = Fail(_status ?? StatusForFailure(ex));
            throw new RpcException(failure, _trailers, ex);
        }

        lock (_gate)
        {
            _response = response;
        }

        if (Volatile.Read(ref _cancelReason) != ReasonNone)
        {
            response.Dispose();
        }

        var headerStatus = ReadHeaderStatus(response, out var headerMetadata);
        _headers.TrySetResult(headerMetadata);
        if (headerStatus is { } status)
        {
            Finish(status, headerMetadata);
        }

        return response;
    }

    /// <summary>Status carried by the response headers: a non-200 HTTP status, a bad content-type or Trailers-Only.</summary>
    private static Status? ReadHeaderStatus(HttpResponseMessage response, out Metadata metadata)
    {
        metadata = MetadataConverter.FromHeaders(response.Headers);
        var grpcStatus = GetHeader(response.Headers, GrpcProtocol.StatusTrailer);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var message = GetHeader(response.Headers, GrpcProtocol.MessageTrailer);
            var detail = $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}";
            if (message is not null)
            {
                detail += ". " + GrpcProtocol.DecodeMessage(message);
            }

            return new Status(ClientStatusMapper.FromHttpStatus(response.StatusCode), detail);
        }

        if (grpcStatus is not null)
        {
            // Trailers-Only: the status is in the only HEADERS frame.
            return ParseStatus(grpcStatus, GetHeader(response.Headers, GrpcProtocol.MessageTrailer));
        }

        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            return new Status(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: {contentType ?? "(none)"}");
        }

        return null;
    }

    /// <summary>Reads the next response message; null at the end of a successful stream; throws <see cref="RpcException"/> otherwise.</summary>
    public async ValueTask<TResponse?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var response = await _responseTask!.ConfigureAwait(false);
        if (_status is { } finished)
        {
            return finished.StatusCode == StatusCode.OK ? null : throw new RpcException(finished, _trailers);
        }

        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((ClientCall<TRequest, TResponse>)s!).Cancel(ReasonCancelled), this)
            : default;
        try
        {
            if (_body is null)
            {
                var stream = await response.Content.ReadAsStreamAsync(_cts.Token).ConfigureAwait(false);
                _body = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
            }

            var message = await FrameReader.ReadMessageAsync(_body, _method.ResponseParser, _channel.Options.MaxReceiveMessageSize, _cts.Token).ConfigureAwait(false);
            if (message is not null)
            {
                return message;
            }

            var status = ReadTrailers(response, out var trailers);
            Finish(status, trailers);
            return status.StatusCode == StatusCode.OK ? null : throw new RpcException(status, trailers);
        }
        catch (RpcException ex) when (_status is null)
        {
            // A bad frame from the server: end the call here and reset the stream.
            Fail(ex.Status);
            Cancel(ReasonDisposed);
            throw;
        }
        catch (RpcException)
        {
            throw;
        }
        catch (Exception ex)
        {
            var failure = Fail(_status ?? StatusForFailure(ex));
            throw new RpcException(failure, _trailers, ex);
        }
    }

    /// <summary>Reads the single response of a unary or client-streaming call and the status after it.</summary>
    public async Task<TResponse> ReadSingleResponseAsync()
    {
        var message = await ReadMessageAsync(CancellationToken.None).ConfigureAwait(false)
            ?? throw new RpcException(Fail(new Status(StatusCode.Internal, "Failed to deserialize response message: the server ended a unary call without a message.")), _trailers);
        var extra = await ReadMessageAsync(CancellationToken.None).ConfigureAwait(false);
        if (extra is not null)
        {
            var status = Fail(new Status(StatusCode.Internal, "The server sent more than one message for a unary response."));
            Cancel(ReasonDisposed);
            throw new RpcException(status, _trailers);
        }

        return message;
    }

    private static Status ReadTrailers(HttpResponseMessage response, out Metadata trailers)
    {
        trailers = MetadataConverter.FromHeaders(response.TrailingHeaders);
        var grpcStatus = GetHeader(response.TrailingHeaders, GrpcProtocol.StatusTrailer);
        if (grpcStatus is null)
        {
            return new Status(StatusCode.Internal, "No grpc-status found on response.");
        }

        return ParseStatus(grpcStatus, GetHeader(response.TrailingHeaders, GrpcProtocol.MessageTrailer));
    }

    private static Status ParseStatus(string grpcStatus, string? grpcMessage)
    {
        if (!int.TryParse(grpcStatus, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
        {
            return new Status(StatusCode.Unknown, $"Unexpected grpc-status value '{grpcStatus}'.");
        }

        // Codes outside 0-16 are passed through as UNKNOWN (gRPC spec).
        var statusCode = code is >= 0 and <= 16 ? (StatusCode)code : StatusCode.Unknown;
        return new Status(statusCode, GrpcProtocol.DecodeMessage(grpcMessage));
    }

    private static string? GetHeader(System.Net.Http.Headers.HttpHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) ? values.LastOrDefault() : null;

    private Status StatusForFailure(Exception exception) => Volatile.Read(ref _cancelReason) switch
    {
        ReasonDeadline => new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"),
        ReasonCancelled or ReasonDisposed => new Status(StatusCode.Cancelled, "Call cancelled by the caller."),
        _ => ClientStatusMapper.FromException(exception),
    };

    private Status Finish(Status status, Metadata trailers)
    {
        lock (_gate)
        {
            if (_status is null)
            {
                _status = status;
                _trailers = trailers;
            }
        }

        _headers.TrySetResult(new Metadata());
        _deadlineTimer?.Dispose();
        _userRegistration.Dispose();
        _requestContent?.Writer.TryComplete(new RpcException(_status.Value, _trailers));
        return _status.Value;
    }

    private Status Fail(Status status)
    {
        var final = Finish(status, new Metadata());
        _headers.TrySetException(new RpcException(final, _trailers));
        return final;
    }

    private void Cancel(int reason)
    {
        if (Interlocked.CompareExchange(ref _cancelReason, reason, ReasonNone) != ReasonNone)
        {
            return;
        }

        HttpResponseMessage? response;
        lock (_gate)
        {
            response = _response;
        }

        if (_status is null && reason != ReasonDisposed)
        {
            Fail(reason == ReasonDeadline
                ? new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded")
                : new Status(StatusCode.Cancelled, "Call cancelled by the caller."));
        }

        // Cancelling the token resets the HTTP/2 stream (RST_STREAM CANCEL) and fails any pending read or write.
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        response?.Dispose();
    }

    public void Dispose()
    {
        if (_status is null)
        {
            Fail(new Status(StatusCode.Cancelled, "Call disposed before it finished."));
        }

        Cancel(ReasonDisposed);
        _deadlineTimer?.Dispose();
        _userRegistration.Dispose();
    }
}
