using System.Security.Cryptography.X509Certificates;

namespace Mesh.Hub.InternalApi;

/// <summary>The hub's deny-list: removed nodes and their certificates. Consulted on every TLS handshake and call.</summary>
public interface INodeRevocations
{
    bool IsCertificateRevoked(X509Certificate2 certificate);

    /// <summary>When the node was removed, or null if it was not.</summary>
    DateTimeOffset? NodeRevokedAt(string nodeId);
}
