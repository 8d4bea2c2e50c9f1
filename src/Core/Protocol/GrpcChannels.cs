using Grpc.Net.Client;

namespace Mesh.Core.Protocol;

/// <summary>How Mesh opens Grpc.Net.Client channels (node → hub, actor CLI, hub → node health probe).</summary>
public static class GrpcChannels
{
    /// <summary>
    /// A channel over <paramref name="handler"/> (TLS settings, client certificate, keepalive, connect timeout are
    /// the handler's), given to grpc-dotnet as an <see cref="HttpClient"/> with no timeout (deadlines are per call);
    /// the channel owns and disposes it. Handing over an HttpClient rather than the handler keeps grpc-dotnet's
    /// client-side load balancing out: with it, a channel whose connection failed fails every call at once ("Error
    /// connecting to subchannel") until its own reconnect backoff (up to 2 minutes) has passed, a second backoff
    /// under the node's own retry loops, and the transport error (refused connection, rejected certificate) no
    /// longer reaches the caller.
    /// </summary>
    public static GrpcChannel Create(Uri address, HttpMessageHandler handler, int? maxReceiveMessageSize = 4 * 1024 * 1024) =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpClient = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan },
            DisposeHttpClient = true,
            MaxReceiveMessageSize = maxReceiveMessageSize,
        });
}
