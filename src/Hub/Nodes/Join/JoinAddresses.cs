using System.Net;
using System.Text.RegularExpressions;
using Mesh.Core.Configuration;
using Mesh.Hub.InternalApi;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Mesh.Hub.Nodes.Join;

/// <summary>
/// Where another machine reaches this hub: the web address it downloads the installer from (the one the operator's
/// browser used) and the internal gRPC address its node dials (<c>[internal_grpc] advertise</c>, else a name in the
/// hub's certificate). <see cref="Warnings"/> says plainly when another machine cannot use them, and what to change.
/// </summary>
public sealed record JoinAddresses(JoinCommand Command, IReadOnlyList<string> Warnings);

/// <summary>Works out <see cref="JoinAddresses"/> for a request to the web UI.</summary>
public sealed partial class JoinAddressResolver(MeshConfig config, IServer server, HubIdentity identity)
{
    public JoinAddresses Resolve(HttpRequest request)
    {
        var warnings = new List<string>();
        var grpc = config.InternalGrpc;
        var listenHost = grpc.Listen.Host;
        var browserHost = ValidHost().IsMatch(request.Host.Host) ? request.Host.Host : null;
        string host;
        if (grpc.Advertise.Count > 0)
            host = grpc.Advertise[0];
        else if (!IsWildcard(listenHost))
            host = listenHost;
        else if (browserHost is not null && !IsLoopback(browserHost) && identity.ServerNames.Contains(browserHost, StringComparer.OrdinalIgnoreCase))
            host = browserHost;
        else
        {
            host = Environment.MachineName;
            warnings.Add($"[internal_grpc] advertise is not set, so nodes are told to dial this machine's name '{host}'. If other machines know the hub by another name or address, add it: advertise = [\"hub.example.com\"] in the hub's configuration, then restart the hub (its certificate then names it).");
        }

        if (IsLoopback(listenHost))
            warnings.Add($"The hub's internal gRPC listens on {grpc.Listen} (loopback only): only this machine can join. For other machines set [internal_grpc] listen = \"0.0.0.0:{BoundPort()}\" and advertise = [\"<the name or address other machines use>\"] in the hub's configuration and restart it.");
        var webBase = $"{request.Scheme}://{(browserHost is null ? config.Server.Listen.ToString() : request.Host.ToString())}{request.PathBase}";
        if (request.Scheme == "http" && browserHost is not null && !IsLoopback(browserHost))
            warnings.Add("This page is served over plain HTTP, so the install script travels unprotected to the new machine: serve the web UI over HTTPS ([server] tls_cert and tls_key) or run the command only on a network you trust.");
        var mode = grpc.Security.Mode == GrpcSecurityMode.Mtls ? "mtls" : "tls";
        return new JoinAddresses(new JoinCommand(webBase.TrimEnd('/'), $"https://{FormatHost(host)}:{BoundPort()}", mode), warnings);
    }

    /// <summary>The bound internal gRPC port (port 0 in tests and scripts), else the configured one.</summary>
    private int BoundPort()
    {
        var bound = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault(a => a.StartsWith("https://", StringComparison.Ordinal));
        var parsable = bound?.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal);
        return parsable is not null && Uri.TryCreate(parsable, UriKind.Absolute, out var uri) ? uri.Port : config.InternalGrpc.Listen.Port;
    }

    private static bool IsWildcard(string host) => host is "0.0.0.0" or "::" or "*";

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;

    [GeneratedRegex("^[A-Za-z0-9.:\\[\\]-]{1,253}$")]
    private static partial Regex ValidHost();
}
