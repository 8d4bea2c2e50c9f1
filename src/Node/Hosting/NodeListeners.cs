using System.Net;
using System.Net.Sockets;
using Mesh.Core.Configuration;
using Mesh.Hosting;
using Mesh.Hosting.Metrics;
using Mesh.Node.Mailbox;
using Mesh.Node.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Connections.Features;

namespace Mesh.Node.Hosting;

/// <summary>
/// The node's listeners, all plaintext HTTP/2 in the node's own host: the local endpoint on [node] local_listen
/// (loopback only: <c>mesh.v1.Mailbox</c> relayed to the hub, and <c>grpc.health.v1</c>) and, for a node process,
/// [internal_grpc] health_listen (<c>grpc.health.v1</c> only, for the kubelet's or systemd's probes) and
/// [metrics] node_listen (HTTP/1.1, <c>/metrics</c> only: <see cref="MetricsListener"/>).
/// </summary>
internal sealed class NodeListeners
{
    /// <summary>Largest request message an agent may send (as on the hub).</summary>
    public const int MaxReceiveMessageSize = 4 * 1024 * 1024;

    public ListenOptions? Local { get; private set; }

    public ListenOptions? Health { get; private set; }

    public ListenOptions? Metrics { get; private set; }

    public Uri? LocalUrl => Local?.IPEndPoint is { } local ? new Uri($"http://{local}") : null;

    public Uri? HealthUrl => Health?.IPEndPoint is { } health ? new Uri($"http://{health}") : null;

    public Uri? MetricsUrl => Metrics?.IPEndPoint is { } metrics ? new Uri($"http://{metrics}{PrometheusExport.Path}") : null;

    /// <summary>Which listeners this node opens. A taken default local address means none there (another node on this machine).</summary>
    public static ListenerPlan Plan(MeshConfig config, NodeHostOptions options)
    {
        var local = config.Node.LocalListen is { } listen;
        var defaultTaken = local && config.Node.LocalListenIsDefault && IsTaken(config.Node.LocalListen!.ToEndPoint());
        // The embedded node's instruments are not exported: its listeners are the hub's.
        return new(local && !defaultTaken, options.ServeHealthListener && config.InternalGrpc.HealthListen is not null,
            options.ServeHealthListener && config.Metrics.NodeServes, defaultTaken);
    }

    public void Configure(KestrelServerOptions kestrel, MeshConfig config, ListenerPlan plan)
    {
        kestrel.AddServerHeader = false;
        if (plan.Local)
            kestrel.Listen(config.Node.LocalListen!.ToEndPoint(), listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                Local = listen;
            });
        if (plan.Health)
            kestrel.ListenHealthOnly(config.InternalGrpc.HealthListen!.ToEndPoint(), listen => Health = listen);
        if (plan.Metrics)
            kestrel.ListenMetricsOnly(config.Metrics.NodeListen!.ToEndPoint(), listen => Metrics = listen);
    }

    /// <summary>
    /// grpc.health.v1 everywhere, the mailbox relay on the local endpoint; the health listener serves health only, the
    /// metrics listener /metrics only.
    /// </summary>
    public static void Map(WebApplication app, MeshConfig config, ListenerPlan plan)
    {
        app.Use((context, next) =>
            HealthOnlyListener.IsHealthOnly(context.Features.Get<IConnectionItemsFeature>()?.Items) ? HealthOnlyListener.FilterAsync(context, next) : next(context));
        if (plan.Metrics)
            app.Use((context, next) => MetricsListener.FilterAsync(context, next, config.Metrics));
        app.MapGrpcHealthChecksService();
        if (plan.Local)
            app.MapMailboxRelay();
        if (plan.Metrics)
            app.MapNodeMetrics();
    }

    private static bool IsTaken(IPEndPoint endpoint)
    {
        try
        {
            using var probe = new TcpListener(endpoint);
            probe.Start();
            return false;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return true;
        }
    }
}

/// <summary>Which of its listeners a node opens.</summary>
internal readonly record struct ListenerPlan(bool Local, bool Health, bool Metrics, bool DefaultLocalTaken)
{
    public bool Any => Local || Health || Metrics;
}
