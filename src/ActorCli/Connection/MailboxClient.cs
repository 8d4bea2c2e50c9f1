using Mesh.Core.Protocol;
using Mesh.Rpc;

namespace Mesh.ActorCli.Connection;

/// <summary>The mailbox API over one channel, with the bearer token on every call.</summary>
internal sealed class MailboxClient : IDisposable
{
    private readonly RpcChannel _channel;
    private readonly Metadata _headers;
    private readonly TimeSpan _timeout;

    public MailboxClient(EndpointSettings settings, TimeSpan timeout)
    {
        _channel = new RpcChannel(settings.Target, new RpcChannelOptions
        {
            ServerCertificateValidation = settings.HubCheck?.Callback(settings.Target.IdnHost),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
        _headers = new Metadata().Add("authorization", "Bearer " + settings.Token);
        _timeout = timeout;
    }

    public Task<TResponse> CallAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CancellationToken cancellationToken, TimeSpan? timeout = null)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>
        where TResponse : class, Google.Protobuf.IMessage<TResponse> =>
        _channel.UnaryAsync(method, request, CallOptions.WithTimeout(timeout ?? _timeout, _headers, cancellationToken));

    public AsyncServerStreamingCall<MailboxMessage> Watch(WatchRequest request, CancellationToken cancellationToken) =>
        _channel.ServerStreaming(MailboxMethods.Watch, request, new CallOptions(_headers, null, cancellationToken));

    public void Dispose() => _channel.Dispose();
}
