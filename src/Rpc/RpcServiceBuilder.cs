using Google.Protobuf;
using Mesh.Rpc.Server;

namespace Mesh.Rpc;

/// <summary>
/// Builds a service definition from an explicit table of methods and their typed handlers:
/// <code>
/// var service = new RpcServiceBuilder("mesh.v1.Mailbox")
///     .Unary(MailboxMethods.Send, mailbox.SendAsync)
///     .DuplexStreaming(MailboxMethods.Session, mailbox.SessionAsync)
///     .UsePreHandler(auth.CheckAsync)
///     .Build();
/// app.MapRpcService(service);
/// </code>
/// </summary>
public sealed class RpcServiceBuilder
{
    private readonly List<MethodBinding> _methods = [];
    private RpcPreHandler? _preHandler;

    public RpcServiceBuilder(string serviceName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        ServiceName = serviceName;
    }

    public string ServiceName { get; }

    public RpcServiceBuilder Unary<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryHandler<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        Check(method, MethodType.Unary, handler);
        _methods.Add(new UnaryBinding<TRequest, TResponse>(method, handler));
        return this;
    }

    public RpcServiceBuilder ServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingHandler<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        Check(method, MethodType.ServerStreaming, handler);
        _methods.Add(new ServerStreamingBinding<TRequest, TResponse>(method, handler));
        return this;
    }

    public RpcServiceBuilder ClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingHandler<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        Check(method, MethodType.ClientStreaming, handler);
        _methods.Add(new ClientStreamingBinding<TRequest, TResponse>(method, handler));
        return this;
    }

    public RpcServiceBuilder DuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingHandler<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        Check(method, MethodType.DuplexStreaming, handler);
        _methods.Add(new DuplexStreamingBinding<TRequest, TResponse>(method, handler));
        return this;
    }

    /// <summary>A hook run before every handler of this service (after the server-wide one).</summary>
    public RpcServiceBuilder UsePreHandler(RpcPreHandler preHandler)
    {
        ArgumentNullException.ThrowIfNull(preHandler);
        if (_preHandler is not null)
        {
            throw new InvalidOperationException($"Service '{ServiceName}' already has a pre-handler; compose them into one.");
        }

        _preHandler = preHandler;
        return this;
    }

    public RpcServiceDefinition Build()
    {
        if (_methods.Count == 0)
        {
            throw new InvalidOperationException($"Service '{ServiceName}' has no methods.");
        }

        return new RpcServiceDefinition(ServiceName, [.. _methods], _preHandler);
    }

    private void Check<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType expected, Delegate handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        if (!string.Equals(method.ServiceName, ServiceName, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Method {method.FullName} belongs to service '{method.ServiceName}', not '{ServiceName}'.", nameof(method));
        }

        if (method.Type != expected)
        {
            throw new ArgumentException($"Method {method.FullName} is {method.Type}; register it with {method.Type}(…), not {expected}(…).", nameof(method));
        }

        if (_methods.Any(m => string.Equals(m.Name, method.Name, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"Method {method.FullName} is registered twice.", nameof(method));
        }
    }
}
