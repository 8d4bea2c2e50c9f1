using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Mesh.Rpc.Client;
using Mesh.Rpc.Internal;

namespace Mesh.Rpc;

/// <summary>
/// A gRPC client for one target (<c>https://hub:50051</c>, or <c>http://…</c> for plaintext h2c): one
/// <see cref="SocketsHttpHandler"/>, HTTP/2 only, connections reused across calls. Thread-safe; create one per target.
/// </summary>
public sealed class RpcChannel : IDisposable
{
    private static readonly Oid ServerAuthOid = new("1.3.6.1.5.5.7.3.1");

    private readonly ConcurrentDictionary<string, Uri> _uris = new(StringComparer.Ordinal);
    private readonly bool _ownsHandler;

    public RpcChannel(Uri address, RpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        Options = options ?? new RpcChannelOptions();
        Address = ValidateAddress(address);
        Validate(Options);
        var handler = Options.HttpHandler ?? CreateHandler(Address, Options);
        _ownsHandler = Options.HttpHandler is null;
        Invoker = new HttpMessageInvoker(handler, disposeHandler: _ownsHandler);
    }

    /// <summary>Parses <paramref name="address"/> (<c>https://host:port</c>) with a message that says how to fix it.</summary>
    public static RpcChannel ForAddress(string address, RpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        if (!address.Contains("://", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Address '{address}' has no scheme. Use 'https://{address}' (or 'http://{address}' for plaintext h2c).", nameof(address));
        }

        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"Address '{address}' is not a valid URI. Use 'https://host:port'.", nameof(address));
        }

        return new RpcChannel(uri, options);
    }

    public Uri Address { get; }

    public RpcChannelOptions Options { get; }

    internal HttpMessageInvoker Invoker { get; }

    /// <summary>Calls a unary method and returns its response; throws <see cref="RpcException"/> on a non-OK status.</summary>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        using var call = StartCall(method, MethodType.Unary, options);
        call.StartWithMessage(request);
        return await call.ReadSingleResponseAsync().ConfigureAwait(false);
    }

    /// <summary>Starts a unary call and gives access to its headers, trailers and status.</summary>
    public AsyncUnaryCall<TResponse> StartUnary<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var call = StartCall(method, MethodType.Unary, options);
        call.StartWithMessage(request);
        return new AsyncUnaryCall<TResponse>(call, call.ReadSingleResponseAsync().ObserveFaults());
    }

    public AsyncServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var call = StartCall(method, MethodType.ServerStreaming, options);
        call.StartWithMessage(request);
        return new AsyncServerStreamingCall<TResponse>(call, new ClientResponseStream<TRequest, TResponse>(call));
    }

    public AsyncClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var call = StartCall(method, MethodType.ClientStreaming, options);
        call.StartStreaming();
        return new AsyncClientStreamingCall<TRequest, TResponse>(
            call, new ClientRequestStream<TRequest, TResponse>(call, call.RequestContent!), call.ReadSingleResponseAsync().ObserveFaults());
    }

    public AsyncDuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var call = StartCall(method, MethodType.DuplexStreaming, options);
        call.StartStreaming();
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(
            call, new ClientRequestStream<TRequest, TResponse>(call, call.RequestContent!), new ClientResponseStream<TRequest, TResponse>(call));
    }

    public void Dispose() => Invoker.Dispose();

    internal Uri GetUri(string path) => _uris.GetOrAdd(path, static (p, baseUri) => new Uri(baseUri, p), Address);

    private ClientCall<TRequest, TResponse> StartCall<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType expected, CallOptions options)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.Type != expected)
        {
            throw new ArgumentException($"Method {method.FullName} is {method.Type}; it cannot be called as {expected}.", nameof(method));
        }

        return new ClientCall<TRequest, TResponse>(this, method, options);
    }

    private static Uri ValidateAddress(Uri address)
    {
        if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttps && address.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"Address '{address}' must be absolute with scheme https (TLS) or http (plaintext h2c), e.g. 'https://hub:50051'.", nameof(address));
        }

        return new Uri(address.GetLeftPart(UriPartial.Authority) + "/");
    }

    private static void Validate(RpcChannelOptions options)
    {
        if (options.MaxReceiveMessageSize <= 0 || options.MaxSendMessageSize <= 0)
        {
            throw new ArgumentException("MaxReceiveMessageSize and MaxSendMessageSize must be positive.", nameof(options));
        }

        if (options.RequestStreamBufferCapacity <= 0)
        {
            throw new ArgumentException("RequestStreamBufferCapacity must be positive.", nameof(options));
        }

        if (options.ClientCertificate is { HasPrivateKey: false })
        {
            throw new ArgumentException("ClientCertificate has no private key; load it with its key (e.g. X509Certificate2.CreateFromPemFile(cert, key)).", nameof(options));
        }

        if (options.KeepAlivePingDelay is { } delay && delay < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException("KeepAlivePingDelay must be at least 1 s (30 s or more against servers that are not ours).", nameof(options));
        }
    }

    private static SocketsHttpHandler CreateHandler(Uri address, RpcChannelOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = options.EnableMultipleHttp2Connections,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = options.KeepAlivePingDelay ?? Timeout.InfiniteTimeSpan,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        };

        if (address.Scheme == Uri.UriSchemeHttps)
        {
            var ssl = new SslClientAuthenticationOptions();
            if (options.ServerCertificateValidation is { } callback)
            {
                ssl.RemoteCertificateValidationCallback = callback;
            }
            else if (options.RootCertificates is { Count: > 0 } roots)
            {
                // Our own roots only; SslStream still checks the host name against the SANs.
                var policy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                };
                policy.CustomTrustStore.AddRange(roots);
                policy.ApplicationPolicy.Add(ServerAuthOid);
                ssl.CertificateChainPolicy = policy;
            }

            if (options.ClientCertificate is { } clientCertificate)
            {
                ssl.ClientCertificateContext = SslStreamCertificateContext.Create(clientCertificate, options.ClientCertificateChain, offline: true);
            }

            handler.SslOptions = ssl;
        }

        return handler;
    }
}
