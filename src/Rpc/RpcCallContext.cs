using System.IO.Pipelines;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Mesh.Rpc.Framing;
using Mesh.Rpc.Internal;
using Mesh.Rpc.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Rpc;

/// <summary>
/// The server side of one call: request metadata, response headers and trailers, deadline, cancellation and the
/// caller's identity (validated client certificate and an <see cref="Items"/> bag an auth layer can fill).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The dispatcher owns the call's lifetime and disposes its deadline resources in DisposeDeadline.")]
public sealed class RpcCallContext
{
    private readonly RpcServerOptions _options;
    private readonly ILogger _logger;
    private Metadata? _requestHeaders;
    private Metadata? _responseHeaders;
    private Metadata? _responseTrailers;
    private CancellationTokenSource? _deadlineCts;
    private ITimer? _deadlineTimer;
    private SemaphoreSlim? _writeLock;
    private int _writing;
    private bool _responseStarted;
    private bool _completed;
    private volatile bool _deadlineExceeded;
    private int _deadlineState;
    private Task? _deadlineTask;

    private const int DeadlineArmed = 0;
    private const int DeadlineFiring = 1;
    private const int DeadlineDisposed = 2;

    internal RpcCallContext(HttpContext httpContext, string method, RpcServerOptions options, ILogger logger)
    {
        HttpContext = httpContext;
        Method = method;
        _options = options;
        _logger = logger;
        CancellationToken = httpContext.RequestAborted;
    }

    /// <summary>The full method path, <c>/mesh.v1.Mailbox/Send</c>.</summary>
    public string Method { get; }

    /// <summary>The caller's address, e.g. <c>ipv4:127.0.0.1:51234</c>.</summary>
    public string Peer
    {
        get
        {
            var ip = HttpContext.Connection.RemoteIpAddress;
            if (ip is null)
            {
                return "unknown";
            }

            return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? $"ipv6:[{ip}]:{HttpContext.Connection.RemotePort}"
                : $"ipv4:{ip}:{HttpContext.Connection.RemotePort}";
        }
    }

    /// <summary>UTC deadline from <c>grpc-timeout</c>; <see cref="DateTime.MaxValue"/> when the caller set none.</summary>
    public DateTime Deadline { get; private set; } = DateTime.MaxValue;

    /// <summary>Cancelled when the caller disconnects or resets the stream, or the deadline passes.</summary>
    public CancellationToken CancellationToken { get; private set; }

    /// <summary>Request metadata (protocol headers excluded).</summary>
    public Metadata RequestHeaders => _requestHeaders ??= MetadataConverter.FromHeaders(HttpContext.Request.Headers);

    /// <summary>Metadata sent as response headers when the response starts (first message or <see cref="WriteResponseHeadersAsync"/>).</summary>
    public Metadata ResponseHeaders => _responseHeaders ??= new Metadata();

    /// <summary>Metadata sent with the status at the end of the call.</summary>
    public Metadata ResponseTrailers => _responseTrailers ??= new Metadata();

    /// <summary>Status sent when the handler returns normally. Default OK.</summary>
    public Status Status { get; set; } = Status.DefaultSuccess;

    /// <summary>The client certificate that passed TLS validation (mTLS), or null.</summary>
    public X509Certificate2? ClientCertificate => HttpContext.Connection.ClientCertificate;

    /// <summary>Per-call bag for the pre-handler (e.g. the authenticated node id).</summary>
    public IDictionary<object, object?> Items => HttpContext.Items;

    /// <summary>The underlying ASP.NET Core request.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>One request header read straight from HTTP (no metadata materialized), e.g. <c>authorization</c>.</summary>
    public string? GetRequestHeader(string key)
    {
        var values = HttpContext.Request.Headers[key];
        return values.Count == 0 ? null : values[values.Count - 1];
    }

    /// <summary>Sends the response headers now (with <see cref="ResponseHeaders"/>).</summary>
    public async Task WriteResponseHeadersAsync()
    {
        await AcquireAsync(CancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfCompleted();
            await StartResponseCoreAsync().ConfigureAwait(false);
        }
        finally
        {
            Release();
        }
    }

    internal bool DeadlineExceeded => _deadlineExceeded;

    internal bool IsCompleted => _completed;

    internal int MaxReceiveMessageSize => _options.MaxReceiveMessageSize;

    internal bool DetailedErrors => _options.EnableDetailedErrors;

    internal PipeReader RequestBody => HttpContext.Request.BodyReader;

    internal ILogger Logger => _logger;

    /// <summary>Arms the deadline from <c>grpc-timeout</c>; false with a status when the header is malformed.</summary>
    internal bool TryStartDeadline(out Status error)
    {
        error = default;
        var header = HttpContext.Request.Headers[GrpcProtocol.TimeoutHeader];
        if (header.Count == 0)
        {
            return true;
        }

        if (!GrpcProtocol.TryParseTimeout(header[0], out var timeout))
        {
            error = new Status(StatusCode.Internal, $"Malformed grpc-timeout header '{header[0]}'.");
            return false;
        }

        // Timers cap out at ~49 days; a longer deadline is no deadline in practice.
        if (timeout > TimeSpan.FromDays(30))
        {
            return true;
        }

        var time = _options.TimeProvider;
        Deadline = time.GetUtcNow().UtcDateTime + timeout;
        _writeLock = new SemaphoreSlim(1, 1);
        _deadlineCts = CancellationTokenSource.CreateLinkedTokenSource(HttpContext.RequestAborted);
        CancellationToken = _deadlineCts.Token;
        _deadlineTimer = time.CreateTimer(static state => ((RpcCallContext)state!).OnDeadline(), this, timeout, Timeout.InfiniteTimeSpan);
        return true;
    }

    /// <summary>Stops the deadline timer; if it already fired, waits for its status write to finish.</summary>
    internal async ValueTask DisposeDeadlineAsync()
    {
        if (_deadlineTimer is null)
        {
            return;
        }

        await _deadlineTimer.DisposeAsync().ConfigureAwait(false);
        if (Interlocked.CompareExchange(ref _deadlineState, DeadlineDisposed, DeadlineArmed) == DeadlineFiring)
        {
            Task? task;
            var spin = default(SpinWait);
            while ((task = Volatile.Read(ref _deadlineTask)) is null)
            {
                spin.SpinOnce();
            }

            await task.ConfigureAwait(false);
        }

        _deadlineCts?.Dispose();
        _writeLock?.Dispose();
    }

    private void OnDeadline()
    {
        if (Interlocked.CompareExchange(ref _deadlineState, DeadlineFiring, DeadlineArmed) == DeadlineArmed)
        {
            Volatile.Write(ref _deadlineTask, DeadlineExceededAsync());
        }
    }

    private async Task DeadlineExceededAsync()
    {
        try
        {
            await _writeLock!.WaitAsync().ConfigureAwait(false);
            try
            {
                if (_completed)
                {
                    return;
                }

                _deadlineExceeded = true;
                RpcServerLog.DeadlineExceeded(_logger, Method);
                CompleteCore(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), null);

                // Send the status now, even if the handler ignores its token.
                await HttpContext.Response.CompleteAsync().ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }

            await _deadlineCts!.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException or IOException or InvalidOperationException)
        {
            // The call ended or the connection dropped while the deadline fired.
            RpcServerLog.DeadlineRace(_logger, Method, ex);
        }
    }

    internal async ValueTask WriteMessageAsync(IMessage message, bool flush, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _writing, 1) == 1)
        {
            throw new InvalidOperationException("A write is already pending on this response stream; await each WriteAsync before the next.");
        }

        try
        {
            await AcquireAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ThrowIfCompleted();
                if (!_responseStarted)
                {
                    PrepareResponseHeaders();
                }

                var writer = HttpContext.Response.BodyWriter;
                FrameWriter.Write(writer, message, _options.MaxSendMessageSize);
                if (flush)
                {
                    var result = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                    if (result.IsCanceled)
                    {
                        throw new OperationCanceledException(cancellationToken);
                    }
                }
            }
            finally
            {
                Release();
            }
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    /// <summary>Writes the unary response into the body without a flush: Kestrel sends headers, data and trailers together.</summary>
    internal void WriteUnaryResponse(IMessage message)
    {
        PrepareResponseHeaders();
        FrameWriter.Write(HttpContext.Response.BodyWriter, message, _options.MaxSendMessageSize);
    }

    internal async ValueTask EnsureResponseStartedAsync(CancellationToken cancellationToken)
    {
        if (_responseStarted)
        {
            return;
        }

        await AcquireAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_responseStarted && !_completed)
            {
                await StartResponseCoreAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Ends the call with a status (Trailers-Only if nothing was sent yet). Idempotent.</summary>
    internal async ValueTask CompleteAsync(Status status, Metadata? extraTrailers)
    {
        if (_writeLock is null)
        {
            if (!_completed)
            {
                CompleteCore(status, extraTrailers);
            }

            return;
        }

        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_completed)
            {
                CompleteCore(status, extraTrailers);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void CompleteCore(Status status, Metadata? extraTrailers)
    {
        _completed = true;
        var response = HttpContext.Response;
        if (!_responseStarted && !response.HasStarted)
        {
            // Trailers-Only: status (and any metadata) in the single HEADERS frame.
            if (_responseHeaders is not null)
            {
                MetadataConverter.CopyTo(_responseHeaders, response.Headers);
            }

            SetStatus(response.Headers, status);
            AppendMetadata(response.Headers, _responseTrailers);
            AppendMetadata(response.Headers, extraTrailers);
            return;
        }

        if (!response.SupportsTrailers())
        {
            return;
        }

        response.AppendTrailer(GrpcProtocol.StatusTrailer, StatusText(status.StatusCode));
        if (status.Detail.Length > 0)
        {
            response.AppendTrailer(GrpcProtocol.MessageTrailer, GrpcProtocol.EncodeMessage(status.Detail));
        }

        AppendTrailers(response, _responseTrailers);
        AppendTrailers(response, extraTrailers);
    }

    private static void SetStatus(IHeaderDictionary headers, Status status)
    {
        headers[GrpcProtocol.StatusTrailer] = StatusText(status.StatusCode);
        if (status.Detail.Length > 0)
        {
            headers[GrpcProtocol.MessageTrailer] = GrpcProtocol.EncodeMessage(status.Detail);
        }
    }

    private static void AppendMetadata(IHeaderDictionary headers, Metadata? metadata)
    {
        if (metadata is not null)
        {
            MetadataConverter.CopyTo(metadata, headers);
        }
    }

    private static void AppendTrailers(HttpResponse response, Metadata? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        foreach (var entry in metadata)
        {
            response.AppendTrailer(entry.Key, MetadataConverter.ToHeaderValue(entry));
        }
    }

    private static readonly string[] StatusTexts =
        Enumerable.Range(0, 17).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static string StatusText(StatusCode code) =>
        (uint)code < (uint)StatusTexts.Length ? StatusTexts[(int)code] : ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void PrepareResponseHeaders()
    {
        _responseStarted = true;
        if (_responseHeaders is not null)
        {
            MetadataConverter.CopyTo(_responseHeaders, HttpContext.Response.Headers);
        }
    }

    private async Task StartResponseCoreAsync()
    {
        if (_responseStarted)
        {
            throw new InvalidOperationException("Response headers were already sent.");
        }

        PrepareResponseHeaders();
        await HttpContext.Response.BodyWriter.FlushAsync(CancellationToken).ConfigureAwait(false);
    }

    private ValueTask AcquireAsync(CancellationToken cancellationToken) =>
        _writeLock is null ? ValueTask.CompletedTask : new ValueTask(_writeLock.WaitAsync(cancellationToken));

    private void Release() => _writeLock?.Release();

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw _deadlineExceeded
                ? new RpcException(StatusCode.DeadlineExceeded, "Deadline Exceeded")
                : new InvalidOperationException("The call has already completed; no more messages can be written.");
        }
    }
}
