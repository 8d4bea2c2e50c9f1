using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Core.Auth;
using Mesh.Core.Protocol;
using Mesh.Pki;

namespace Mesh.Node.Identity;

/// <summary>
/// A node's identity on disk in cert_dir: node.key (0600, made here, never sent), node.crt, ca.crt,
/// node_signing.key (0600: the node's own JWT key) and node.json (cluster id, key id, expiry).
/// </summary>
public sealed partial class NodeIdentityFiles(string certDir)
{
    public const string KeyFile = "node.key";
    public const string CertificateFile = "node.crt";
    public const string CaFile = "ca.crt";
    public const string SigningKeyFile = "node_signing.key";
    public const string MetadataFile = "node.json";

    public string CertDir { get; } = certDir;

    public string KeyPath => Path.Combine(CertDir, KeyFile);

    public string CertificatePath => Path.Combine(CertDir, CertificateFile);

    public string CaPath => Path.Combine(CertDir, CaFile);

    public bool HasCa => File.Exists(CaPath);

    public bool IsEnrolled => File.Exists(CertificatePath) && File.Exists(KeyPath) && File.Exists(CaPath)
        && File.Exists(Path.Combine(CertDir, SigningKeyFile)) && File.Exists(Path.Combine(CertDir, MetadataFile));

    /// <summary>The hub CA alone (a node may have it before enrolling, instead of a pin).</summary>
    public X509Certificate2 LoadCa() => X509Certificate2.CreateFromPem(File.ReadAllText(CaPath));

    /// <summary>Stores what the hub issued, key first, each file written atomically.</summary>
    public void Save(string privateKeyPem, NodeCredentials credentials, DateTimeOffset receivedAt)
    {
        KeyFiles.EnsureDirectory(CertDir);
        KeyFiles.WriteAtomically(KeyPath, privateKeyPem, isPrivate: true);
        KeyFiles.WriteAtomically(Path.Combine(CertDir, SigningKeyFile), Convert.ToBase64String(credentials.SigningKey.Span) + "\n", isPrivate: true);
        KeyFiles.WriteAtomically(CaPath, credentials.CaBundlePem, isPrivate: false);
        var metadata = new StoredMetadata(credentials.ClusterId, credentials.SigningKeyId, credentials.NotAfter.ToDateTimeOffset(), receivedAt);
        KeyFiles.WriteAtomically(Path.Combine(CertDir, MetadataFile), JsonSerializer.Serialize(metadata, MetadataJson.Default.StoredMetadata) + "\n", isPrivate: false);
        // The certificate last: its presence with the others marks a complete enrollment.
        KeyFiles.WriteAtomically(CertificatePath, credentials.CertificatePem, isPrivate: false);
    }

    public LoadedNodeIdentity Load()
    {
        var certificate = KeyFiles.LoadCertificateWithKey(CertificatePath, KeyPath);
        var (key, metadata) = ReadSigningKey();
        return new LoadedNodeIdentity(certificate, LoadCa(), metadata.ClusterId, key, metadata.ReceivedAt);
    }

    /// <summary>Only the node's JWT key (node_signing.key must be private to this user) and its key id, for minting actor tokens.</summary>
    public NodeSigningKey LoadSigningKey() => ReadSigningKey().Key;

    private (NodeSigningKey Key, StoredMetadata Metadata) ReadSigningKey()
    {
        var signingKeyPath = Path.Combine(CertDir, SigningKeyFile);
        KeyFiles.EnsurePrivate(signingKeyPath);
        var key = Convert.FromBase64String(File.ReadAllText(signingKeyPath).Trim());
        var metadata = JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(CertDir, MetadataFile)), MetadataJson.Default.StoredMetadata)
            ?? throw new PkiException($"{Path.Combine(CertDir, MetadataFile)} is empty");
        return (new NodeSigningKey(metadata.SigningKeyId, key), metadata);
    }

    private sealed record StoredMetadata(string ClusterId, string SigningKeyId, DateTimeOffset NotAfter, DateTimeOffset ReceivedAt);

    // Source-generated (no reflection): the node's code path stays trimming- and Native-AOT-clean (docs/benchmarks.md).
    [JsonSerializable(typeof(StoredMetadata))]
    private sealed partial class MetadataJson : JsonSerializerContext;
}

/// <summary>A node's loaded identity: its certificate (with key), the hub CA, its cluster and its JWT key.</summary>
public sealed record LoadedNodeIdentity(X509Certificate2 Certificate, X509Certificate2 Ca, string ClusterId, NodeSigningKey SigningKey, DateTimeOffset ReceivedAt) : IDisposable
{
    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime());

    public void Dispose()
    {
        Certificate.Dispose();
        Ca.Dispose();
    }
}
