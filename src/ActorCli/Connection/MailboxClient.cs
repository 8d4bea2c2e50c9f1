using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Core.Protocol;
using MailboxGrpc = Mesh.Core.Protocol.Mailbox;

namespace Mesh.ActorCli.Connection;

/// <summary>The mailbox API over one channel, with the bearer token on every call.</summary>
internal sealed class MailboxClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly MailboxGrpc.MailboxClient _api;
    private readonly Metadata _headers;
    private readonly TimeSpan _timeout;

    public MailboxClient(EndpointSettings settings, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        if (settings.HubCheck is { } check)
        {
            handler.SslOptions.CertificateChainPolicy = check.ChainPolicy();
            handler.SslOptions.RemoteCertificateValidationCallback = check.Callback(settings.Target.IdnHost);
        }
        _channel = GrpcChannels.Create(settings.Target, handler, maxReceiveMessageSize: 64 * 1024 * 1024);
        _api = new MailboxGrpc.MailboxClient(_channel);
        _headers = new Metadata { { "authorization", "Bearer " + settings.Token } };
        _timeout = timeout;
    }

    /// <summary>One unary call with the token and a deadline (the command's timeout unless <paramref name="timeout"/> says otherwise).</summary>
    public async Task<TResponse> CallAsync<TResponse>(Func<MailboxGrpc.MailboxClient, CallOptions, AsyncUnaryCall<TResponse>> call, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        await call(_api, new CallOptions(_headers, DateTime.UtcNow + (timeout ?? _timeout), cancellationToken));

    public AsyncServerStreamingCall<MailboxMessage> Watch(WatchRequest request, CancellationToken cancellationToken) =>
        _api.Watch(request, new CallOptions(_headers, null, cancellationToken));

    public void Dispose() => _channel.Dispose();
}
