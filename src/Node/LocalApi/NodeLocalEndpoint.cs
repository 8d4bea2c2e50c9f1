using System.Net.Sockets;
using Mesh.Core.Configuration;
using Mesh.Node.Connection;
using Mesh.Node.Mailbox;
using Mesh.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.LocalApi;

/// <summary>
/// The node's local listener for agents on this machine: <c>mesh.v1.Mailbox</c> (the <see cref="MailboxRelay"/>) and
/// <c>grpc.health.v1</c> (SERVING while the node is connected to the hub, see <see cref="NodeReadinessCheck"/>), plaintext HTTP/2 on a loopback address ([node] local_listen). It owns the relay's outbox
/// (data_dir/outbox.db, so queued sends survive restarts) and its flusher, and reads the hub connection and signing
/// key from <see cref="CurrentHubConnection"/>: while there is no connection, sends queue.
/// </summary>
public sealed class NodeLocalEndpoint : IAsyncDisposable
{
    /// <summary>Largest request message an agent may send (as on the hub).</summary>
    public const int MaxReceiveMessageSize = 4 * 1024 * 1024;

    private static readonly TimeSpan FlushRetry = TimeSpan.FromSeconds(5);
    private readonly WebApplication _app;
    private readonly MailboxOutbox _outbox;
    private readonly CurrentHubConnection _hub;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _flusher;

    private NodeLocalEndpoint(WebApplication app, MailboxRelay relay, MailboxOutbox outbox, CurrentHubConnection hub, Uri url)
    {
        _app = app;
        Relay = relay;
        _outbox = outbox;
        _hub = hub;
        Url = url;
        hub.Connected += relay.WakeFlusher;
        _flusher = relay.RunFlusherAsync(FlushRetry, _stopping.Token);
    }

    /// <summary>The bound address, http://127.0.0.1:PORT (port 0 in the configuration is resolved).</summary>
    public Uri Url { get; }

    public MailboxRelay Relay { get; }

    /// <summary>Binds [node] local_listen and starts serving; throws <see cref="LocalEndpointBindException"/> if the address is taken.</summary>
    /// <param name="config">A node configuration whose <see cref="NodeConfig.LocalListen"/> is set.</param>
    public static async Task<NodeLocalEndpoint> StartAsync(MeshConfig config, CurrentHubConnection hub, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var listen = config.Node.LocalListen ?? throw new ArgumentException("[node] local_listen is off", nameof(config));
        var nodeId = config.Server.NodeId ?? throw new ArgumentException("the node has no id", nameof(config));
        var auth = config.InternalGrpc.Auth;
        var outbox = new MailboxOutbox(config.Server.DataDir);
        var tokens = new NodeTokenValidator(() => hub.SigningKey, nodeId, auth.Issuer, auth.Audience, auth.ClockSkew, time);
        var relay = new MailboxRelay(() => hub.Connection, nodeId, outbox, tokens, time, loggers.CreateLogger<MailboxRelay>());
        WebApplication? app = null;
        try
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggers);
            builder.Services.AddMailboxRelay(relay);
            builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = MaxReceiveMessageSize);
            builder.Services.AddSingleton(hub);
            builder.Services.AddMeshGrpcHealth().AddCheck<NodeReadinessCheck>("node");
            // Its owner (the node process or the hub's embedded node) stops it; it must not react to SIGTERM itself.
            builder.Services.AddSingleton<IHostLifetime, OwnedLifetime>();
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Listen(listen.ToEndPoint(), l => l.Protocols = HttpProtocols.Http2);
            });
            app = builder.Build();
            app.MapGrpcHealthChecksService();
            app.MapMailboxRelay();
            await app.StartAsync(cancellationToken);
            var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            var url = new Uri(bound.Replace("https://", "http://", StringComparison.Ordinal));
            var logger = loggers.CreateLogger<NodeLocalEndpoint>();
            NodeLocalEndpointLog.Listening(logger, url);
            return new NodeLocalEndpoint(app, relay, outbox, hub, url);
        }
        catch (Exception ex)
        {
            if (app is not null)
                await app.DisposeAsync();
            relay.Dispose();
            outbox.Dispose();
            if (ex is IOException && (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)))
                throw new LocalEndpointBindException($"cannot listen on {listen} ([node] local_listen) for the node's local mailbox endpoint: the address is already in use. Stop the other process, choose another port, or set local_listen = \"\" to turn the endpoint off.", ex);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _hub.Connected -= Relay.WakeFlusher;
        await _stopping.CancelAsync();
        await _flusher;
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        Relay.Dispose();
        _outbox.Dispose();
        _stopping.Dispose();
    }
}

/// <summary>A host lifetime without signal handling or console messages.</summary>
internal sealed class OwnedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The local endpoint's address is taken by another process.</summary>
public sealed class LocalEndpointBindException(string message, Exception inner) : Exception(message, inner);

internal static partial class NodeLocalEndpointLog
{
    [LoggerMessage(EventId = 4101, EventName = "LocalEndpointListening", Level = LogLevel.Information, Message = "Local mailbox endpoint listening on {Url} (plaintext h2c, loopback only)")]
    public static partial void Listening(ILogger logger, Uri url);
}
