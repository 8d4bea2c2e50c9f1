using Mesh.Rpc.Client;

namespace Mesh.Rpc;

/// <summary>A running unary call: the response, headers, and status/trailers once it ends. Dispose cancels it if still running.</summary>
public sealed class AsyncUnaryCall<TResponse> : IDisposable
{
    private readonly IClientCall _call;

    internal AsyncUnaryCall(IClientCall call, Task<TResponse> response)
    {
        _call = call;
        ResponseAsync = response;
    }

    public Task<TResponse> ResponseAsync { get; }

    /// <summary>Response headers; faults with <see cref="RpcException"/> if the call fails before they arrive.</summary>
    public Task<Metadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;

    /// <summary>The final status; throws until the call has finished.</summary>
    public Status GetStatus() => _call.GetStatus();

    /// <summary>The trailers; throws until the call has finished.</summary>
    public Metadata GetTrailers() => _call.GetTrailers();

    /// <summary>Cancels the call if it is still running (the stream is reset) and frees its resources.</summary>
    public void Dispose() => _call.Dispose();
}

/// <summary>A running server-streaming call.</summary>
public sealed class AsyncServerStreamingCall<TResponse> : IDisposable
{
    private readonly IClientCall _call;

    internal AsyncServerStreamingCall(IClientCall call, IRpcStreamReader<TResponse> responseStream)
    {
        _call = call;
        ResponseStream = responseStream;
    }

    public IRpcStreamReader<TResponse> ResponseStream { get; }

    /// <summary>Response headers; faults with <see cref="RpcException"/> if the call fails before they arrive.</summary>
    public Task<Metadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;

    /// <summary>The final status; throws until the call has finished.</summary>
    public Status GetStatus() => _call.GetStatus();

    /// <summary>The trailers; throws until the call has finished.</summary>
    public Metadata GetTrailers() => _call.GetTrailers();

    /// <summary>Cancels the call if it is still running (the stream is reset) and frees its resources.</summary>
    public void Dispose() => _call.Dispose();
}

/// <summary>A running client-streaming call: write requests, complete, then await the response.</summary>
public sealed class AsyncClientStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly IClientCall _call;

    internal AsyncClientStreamingCall(IClientCall call, IClientStreamWriter<TRequest> requestStream, Task<TResponse> response)
    {
        _call = call;
        RequestStream = requestStream;
        ResponseAsync = response;
    }

    public IClientStreamWriter<TRequest> RequestStream { get; }

    public Task<TResponse> ResponseAsync { get; }

    /// <summary>Response headers; faults with <see cref="RpcException"/> if the call fails before they arrive.</summary>
    public Task<Metadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;

    /// <summary>The final status; throws until the call has finished.</summary>
    public Status GetStatus() => _call.GetStatus();

    /// <summary>The trailers; throws until the call has finished.</summary>
    public Metadata GetTrailers() => _call.GetTrailers();

    /// <summary>Cancels the call if it is still running (the stream is reset) and frees its resources.</summary>
    public void Dispose() => _call.Dispose();
}

/// <summary>A running bidirectional call.</summary>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly IClientCall _call;

    internal AsyncDuplexStreamingCall(IClientCall call, IClientStreamWriter<TRequest> requestStream, IRpcStreamReader<TResponse> responseStream)
    {
        _call = call;
        RequestStream = requestStream;
        ResponseStream = responseStream;
    }

    public IClientStreamWriter<TRequest> RequestStream { get; }

    public IRpcStreamReader<TResponse> ResponseStream { get; }

    /// <summary>Response headers; faults with <see cref="RpcException"/> if the call fails before they arrive.</summary>
    public Task<Metadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;

    /// <summary>The final status; throws until the call has finished.</summary>
    public Status GetStatus() => _call.GetStatus();

    /// <summary>The trailers; throws until the call has finished.</summary>
    public Metadata GetTrailers() => _call.GetTrailers();

    /// <summary>Cancels the call if it is still running (the stream is reset) and frees its resources.</summary>
    public void Dispose() => _call.Dispose();
}
