using System.Net;
using Mesh.Pki.Internal;

namespace Mesh.Pki;

/// <summary>
/// The DNS names and IP addresses a node certificate may carry: only the node's own (those an operator registered
/// for it), never one of the hub's, so that no node certificate can stand in for the hub's.
/// </summary>
public sealed class NodeCertificateNames
{
    private readonly HashSet<string> _own;
    private readonly HashSet<string> _hub;

    public NodeCertificateNames(IEnumerable<string> own, IEnumerable<string> hub)
    {
        _own = new HashSet<string>(own.Select(Normalize), StringComparer.OrdinalIgnoreCase);
        _hub = new HashSet<string>(hub.Select(Normalize), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>No names at all: the certificate carries only the node's mesh:// identity.</summary>
    public static NodeCertificateNames None { get; } = new([], []);

    /// <summary>Throws unless every requested name is the node's own and none is the hub's.</summary>
    internal void EnsureAllowed(string nodeId, IEnumerable<string> requested)
    {
        foreach (var name in requested)
        {
            var key = Normalize(name);
            if (_hub.Contains(key))
                throw new PkiException($"CSR asks for '{name}', a name or address of the hub; a node certificate never carries the hub's names");
            if (!_own.Contains(key))
                throw new PkiException($"CSR asks for '{name}', which is not one of node '{nodeId}''s names; register it as the node's grpc_target host or tls_server_name first");
        }
    }

    // IP literals compare by address ("::1" and "0:0::1" are one), names without a trailing dot and without case.
    private static string Normalize(string name) =>
        HostNames.TryParseIp(name, out var ip) ? ip.ToString() : name.TrimEnd('.');

    internal static IEnumerable<string> Of(IEnumerable<string> dns, IEnumerable<IPAddress> ips) =>
        dns.Concat(ips.Select(ip => ip.ToString()));
}
