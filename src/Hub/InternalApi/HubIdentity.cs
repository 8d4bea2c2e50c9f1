using Mesh.Hosting;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Auth;
using Mesh.Core.Configuration;
using Mesh.Pki;

namespace Mesh.Hub.InternalApi;

/// <summary>
/// The hub's own cryptographic identity, loaded (or created on first start) from cert_dir:
/// the CA that signs node certificates, the hub's TLS server certificate and the JWT key ring.
/// </summary>
public sealed class HubIdentity : IDisposable
{
    private HubIdentity(CertificateAuthority authority, X509Certificate2 serverCertificate, IReadOnlyList<string> serverNames, SigningKeyRing keys)
    {
        Authority = authority;
        ServerCertificate = serverCertificate;
        ServerNames = serverNames;
        Keys = keys;
    }

    public CertificateAuthority Authority { get; }

    public X509Certificate2 ServerCertificate { get; }

    /// <summary>The names and addresses in the hub's server certificate: no node certificate may carry them.</summary>
    public IReadOnlyList<string> ServerNames { get; }

    public SigningKeyRing Keys { get; }

    public string ClusterId => Authority.ClusterId;

    public static HubIdentity LoadOrCreate(MeshConfig config, TimeProvider time)
    {
        var certDir = config.InternalGrpc.Security.CertDir;
        try
        {
            var authority = CertificateAuthority.LoadOrCreate(certDir, "mesh-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)), time);
            var names = new List<string> { "localhost", "127.0.0.1", "::1" };
            names.AddRange(config.InternalGrpc.Advertise);
            var listenHost = config.InternalGrpc.Listen.Host;
            if (listenHost is not ("0.0.0.0" or "::"))
                names.Add(listenHost);
            names.Add(Environment.MachineName);
            var serverNames = names.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var server = authority.LoadOrIssueServerCertificate(certDir, serverNames);
            var keys = SharedSecretStore.LoadOrCreate(config);
            return new HubIdentity(authority, server, serverNames, keys);
        }
        catch (PkiException ex)
        {
            throw new StartupException($"cert_dir '{certDir}' ([internal_grpc.security] cert_dir): {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StartupException($"cert_dir '{certDir}' ([internal_grpc.security] cert_dir) is not writable by this user: {ex.Message}", ex);
        }
    }

    public void Dispose()
    {
        ServerCertificate.Dispose();
        Authority.Dispose();
    }
}
