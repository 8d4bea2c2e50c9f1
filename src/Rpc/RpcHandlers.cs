namespace Mesh.Rpc;

public delegate ValueTask<TResponse> UnaryHandler<in TRequest, TResponse>(TRequest request, RpcCallContext context);

public delegate Task ServerStreamingHandler<in TRequest, TResponse>(TRequest request, IRpcStreamWriter<TResponse> responseStream, RpcCallContext context);

public delegate Task<TResponse> ClientStreamingHandler<TRequest, TResponse>(IRpcStreamReader<TRequest> requestStream, RpcCallContext context);

public delegate Task DuplexStreamingHandler<TRequest, TResponse>(IRpcStreamReader<TRequest> requestStream, IRpcStreamWriter<TResponse> responseStream, RpcCallContext context);

/// <summary>Runs before a handler (authentication, authorization). Throw <see cref="RpcException"/> to refuse the call.</summary>
public delegate ValueTask RpcPreHandler(RpcCallContext context);
