using System.Security.Cryptography;
using Mesh.Core.Configuration;
using Mesh.Pki;

namespace Mesh.Core.Auth;

/// <summary>
/// Where the cluster's shared secret comes from: <c>[internal_grpc.auth] shared_secret</c>, else
/// <c>cert_dir/auth_secret.txt</c>, which the hub generates (32 random bytes, base64url, mode 0600) on first start.
/// </summary>
public static class SharedSecretStore
{
    public const string FileName = "auth_secret.txt";

    /// <summary>The hub's key ring; creates the secret file when neither the config nor the file has one.</summary>
    public static SigningKeyRing LoadOrCreate(MeshConfig config)
    {
        var auth = config.InternalGrpc.Auth;
        if (auth.SharedSecret is not null)
            return new SigningKeyRing(auth.SharedSecret, auth.PreviousSecrets);

        var path = Path.Combine(config.InternalGrpc.Security.CertDir, FileName);
        if (!File.Exists(path))
        {
            KeyFiles.EnsureDirectory(config.InternalGrpc.Security.CertDir);
            var generated = Base64Url(RandomNumberGenerator.GetBytes(32));
            KeyFiles.WriteAtomically(path, generated + "\n", isPrivate: true);
        }

        return new SigningKeyRing(Read(path), auth.PreviousSecrets);
    }

    /// <summary>For tools holding the hub's configuration (the actor CLI's root mode): never creates anything.</summary>
    public static SigningKeyRing Load(MeshConfig config)
    {
        var auth = config.InternalGrpc.Auth;
        if (auth.SharedSecret is not null)
            return new SigningKeyRing(auth.SharedSecret, auth.PreviousSecrets);
        var path = Path.Combine(config.InternalGrpc.Security.CertDir, FileName);
        if (!File.Exists(path))
            throw new PkiException($"no shared secret: neither [internal_grpc.auth] shared_secret is set nor {path} exists (the hub creates it on first start).");
        return new SigningKeyRing(Read(path), auth.PreviousSecrets);
    }

    private static Secret Read(string path)
    {
        KeyFiles.EnsurePrivate(path);
        var text = File.ReadAllText(path).Trim();
        if (!SecretStrength.IsStrong(text, out var reason))
            throw new PkiException($"{path}: the shared secret is too weak: {reason} Delete the file to let the hub generate a new one.");
        return new Secret(text);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
