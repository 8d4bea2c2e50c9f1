using System.Net.Sockets;
using Mesh.Core.Configuration;
using Mesh.Hosting;
using Mesh.Node.Connection;
using Mesh.Node.Identity;
using Mesh.Node.Join;
using Mesh.Node.LocalApi;
using Mesh.Node.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.Hosting;

/// <summary>
/// The node role as one host: its services (<see cref="NodeServiceExtensions.AddNode"/>), its loops under the
/// supervisor, and its listeners (<see cref="NodeListeners"/>) in the same container.
/// </summary>
public sealed class NodeHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly NodeListeners _listeners;
    private readonly MeshConfig _config;
    private readonly bool _defaultLocalTaken;
    private int _stopped;

    private NodeHost(WebApplication app, NodeListeners listeners, MeshConfig config, bool defaultLocalTaken)
    {
        _app = app;
        _listeners = listeners;
        _config = config;
        _defaultLocalTaken = defaultLocalTaken;
    }

    public IServiceProvider Services => _app.Services;

    /// <summary>The local endpoint's address once started (port 0 resolved); null when it is off.</summary>
    public Uri? LocalUrl => _listeners.LocalUrl;

    public Uri? HealthUrl => _listeners.HealthUrl;

    /// <summary>The node's /metrics once started (port 0 resolved); null when it serves none.</summary>
    public Uri? MetricsUrl => _listeners.MetricsUrl;

    /// <summary>Why the node stopped itself, once it has (an operator must act), else null.</summary>
    public NodeStopException? StopReason => _app.Services.GetRequiredService<NodeStop>().Reason;

    public static NodeHost Build(MeshConfig config, Action<ILoggingBuilder> logging, TextWriter output, NodeHostOptions options, TimeProvider? time = null)
    {
        var plan = NodeListeners.Plan(config, options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        logging(builder.Logging);
        if (time is not null)
            builder.Services.AddSingleton(time);
        var listeners = new NodeListeners();
        builder.Services.AddSingleton(listeners);
        builder.Services.AddNode(config, output, plan.Local);
        if (plan.Metrics)
            builder.Services.AddNodeMetrics(config);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        if (options.OwnedByAnotherHost)
            builder.Services.AddSingleton<IHostLifetime, OwnedLifetime>();
        // With no listener Kestrel would bind its own default address: the node then runs without a server.
        if (plan.Any)
            builder.WebHost.ConfigureKestrel(kestrel => listeners.Configure(kestrel, config, plan));
        else
            builder.Services.AddSingleton<Microsoft.AspNetCore.Hosting.Server.IServer, NoServer>();
        var app = builder.Build();
        NodeListeners.Map(app, config, plan);
        return new NodeHost(app, listeners, config, plan.DefaultLocalTaken);
    }

    /// <summary>
    /// Starts the listeners, then the loops (after the listeners, so a taken port fails before a join token is
    /// spent). An enrolled node knows its signing key from the first second, so sends can queue while the hub is away.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var files = _app.Services.GetRequiredService<NodeIdentityFiles>();
        if (files.IsEnrolled)
        {
            try
            {
                _app.Services.GetRequiredService<CurrentHubConnection>().SetSigningKey(files.LoadSigningKey());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Pki.PkiException or FormatException or System.Text.Json.JsonException)
            {
                // The hub connection loop reports an unreadable identity itself.
            }
        }

        try
        {
            await _app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            throw new StartupException(WhichListenerIsTaken(ex), ex);
        }

        var say = _app.Services.GetRequiredService<NodeAnnouncements>();
        if (LocalUrl is { } url)
        {
            NodeHostLog.LocalEndpointListening(Logger, url);
            say.Say($"mesh node local endpoint: {url.GetLeftPart(UriPartial.Authority)}");
        }
        else if (_defaultLocalTaken)
        {
            NodeHostLog.DefaultLocalEndpointTaken(Logger, _config.Node.LocalListen!.ToString());
            say.Say($"mesh node local endpoint: off ({_config.Node.LocalListen} is in use; set [node] local_listen)");
        }

        if (HealthUrl is { } health)
            say.Say($"mesh node health: {health.GetLeftPart(UriPartial.Authority)} (plaintext, grpc.health.v1 only)");
        if (_listeners.MetricsUrl is { } metrics)
            say.Say($"mesh node metrics: {metrics} (plaintext HTTP/1.1, {(_config.Metrics.RequireAuth ? "bearer token of [metrics] node_token" : "no auth: require_auth = false")})");
    }

    /// <summary>Runs a node process until SIGTERM/Ctrl-C or until the node stops itself (then as a <see cref="StartupException"/>).</summary>
    public static async Task<int> RunAsync(MeshConfig config, Action<ILoggingBuilder> logging, TextWriter output, CancellationToken cancellationToken)
    {
        await using var host = Build(config, logging, output, NodeHostOptions.Process);
        await host.StartAsync(cancellationToken);
        await host.WaitForShutdownAsync(cancellationToken);
        if (host.StopReason is { } reason)
            throw new StartupException($"node '{config.Server.NodeId}': {reason.Message}", reason);
        return 0;
    }

    /// <summary>Waits until the node stops (its owner stopped it, or it stopped itself), and stops the host.</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        await _app.WaitForShutdownAsync(cancellationToken);
        Interlocked.Exchange(ref _stopped, 1);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
            await _app.StopAsync(cancellationToken);
    }

    /// <summary>Stops gracefully (health watchers are told NOT_SERVING, loops end) if not stopped yet, then disposes.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private ILogger Logger => _app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<NodeHost>();

    private string WhichListenerIsTaken(IOException ex)
    {
        var health = _config.InternalGrpc.HealthListen;
        var metrics = _config.Metrics.NodeListen;
        if (_config.Metrics.NodeServes && metrics is { Port: not 0 } && ex.Message.Contains(metrics.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))
            return $"node '{_config.Server.NodeId}': cannot listen on {metrics} ([metrics] node_listen): the address is already in use. Stop the other process or choose another port.";
        if (health is { Port: not 0 } && ex.Message.Contains(health.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))
            return $"node '{_config.Server.NodeId}': cannot listen on {health} ([internal_grpc] health_listen): the address is already in use. Stop the other process or choose another port.";
        return $"node '{_config.Server.NodeId}': cannot listen on {_config.Node.LocalListen} ([node] local_listen) for the node's local mailbox endpoint: the address is already in use. Stop the other process, choose another port, or set local_listen = \"\" to turn the endpoint off.";
    }
}

internal static partial class NodeHostLog
{
    [LoggerMessage(EventId = 4101, EventName = "LocalEndpointListening", Level = LogLevel.Information, Message = "Local mailbox endpoint listening on {Url} (plaintext h2c, loopback only)")]
    public static partial void LocalEndpointListening(ILogger logger, Uri url);

    [LoggerMessage(EventId = 1201, EventName = "DefaultLocalEndpointTaken", Level = LogLevel.Warning,
        Message = "The default local mailbox endpoint {Address} is in use (another node on this machine?); this node runs without one. Set [node] local_listen to a free loopback port (or \"\" to turn it off) to silence this.")]
    public static partial void DefaultLocalEndpointTaken(ILogger logger, string address);
}
