using System.Net;
using Mesh.Core.Configuration;
using Mesh.Hosting;
using Mesh.Hosting.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Node.Metrics;

/// <summary>
/// <c>[metrics] node_listen</c>: plaintext HTTP/1.1 serving <c>GET /metrics</c> only, with the bearer token of
/// <c>[metrics] node_token</c> while <c>require_auth</c>. Not on health_listen: that one is h2c for the kubelet's gRPC
/// probes, and Kestrel cannot serve HTTP/1.1 (all Prometheus speaks in cleartext) and h2c on one cleartext port.
/// </summary>
internal static class MetricsListener
{
    private static readonly ListenerMark Mark = new("Mesh.MetricsOnly");

    public static void ListenMetricsOnly(this KestrelServerOptions kestrel, IPEndPoint endpoint, Action<ListenOptions> configure) =>
        kestrel.Listen(endpoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            Mark.Apply(listen);
            configure(listen);
        });

    /// <summary>On the metrics listener: /metrics for the holder of the token, nothing else. Elsewhere: never /metrics.</summary>
    public static Task FilterAsync(HttpContext context, RequestDelegate next, MetricsConfig config)
    {
        var isMetrics = context.Request.Path.Equals(PrometheusExport.Path, StringComparison.Ordinal);
        if (!Mark.IsOn(context))
            return isMetrics ? NotFound(context) : next(context);
        if (!isMetrics)
            return NotFound(context);
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD";
            return Task.CompletedTask;
        }

        if (config.RequireAuth && !HasToken(context, config.NodeToken!))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"mesh-node-metrics\"";
            return context.Response.WriteAsync("401: send the [metrics] node_token as Authorization: Bearer\n", context.RequestAborted);
        }

        return next(context);
    }

    private static bool HasToken(HttpContext context, Secret token)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && token.Matches(header[Scheme.Length..].Trim());
    }

    private static Task NotFound(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
