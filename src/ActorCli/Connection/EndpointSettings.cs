using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Auth;
using Mesh.Core.Configuration;

namespace Mesh.ActorCli.Connection;

/// <summary>
/// Where to connect and with which token. Each value comes from its flag, else its environment variables (an agent
/// run started by a node has MESH_ENDPOINT and MESH_ACTOR_TOKEN_FILE), else the
/// hub configuration (--config / MESH_CONFIG: the internal listener, a root token minted from the shared secret and
/// the CA from cert_dir).
/// </summary>
internal sealed record EndpointSettings(Uri Target, string Token, HubCertificateCheck? HubCheck, bool IsRoot)
{
    public static EndpointSettings Resolve(GlobalValues values, IReadOnlyDictionary<string, string?> environment)
    {
        var target = values.Target ?? Env(environment, "MESH_GRPC_TARGET") ?? Env(environment, "MESH_ENDPOINT");
        var token = values.Token ?? Env(environment, "MESH_ACTOR_TOKEN") ?? TokenFromFile(Env(environment, "MESH_ACTOR_TOKEN_FILE"));
        var caFile = values.CaFile ?? Env(environment, "MESH_CA_FILE");
        var configPath = values.ConfigPath ?? Env(environment, "MESH_CONFIG");

        MeshConfig? config = null;
        if (configPath is not null && (target is null || token is null || caFile is null))
            config = LoadConfig(configPath);

        var isRoot = false;
        if (token is null)
        {
            if (config is null)
                throw new UsageException("no credentials: set MESH_ACTOR_TOKEN (or --token) for an actor, or --config PATH / MESH_CONFIG with the hub configuration for root.");
            token = MintRootToken(config);
            isRoot = true;
        }

        if (target is null)
        {
            if (config is null)
                throw new UsageException("no endpoint: set MESH_GRPC_TARGET (or --target), e.g. https://127.0.0.1:50051, or give --config PATH.");
            if (!config.InternalGrpc.Enabled)
                throw new UsageException($"{config.SourcePath}: [internal_grpc] enabled = false, so the hub serves no mailbox endpoint.");
            var listen = config.InternalGrpc.Listen;
            var host = listen.Host is "0.0.0.0" or "::" or "[::]" ? "127.0.0.1" : listen.Host;
            target = $"https://{(host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host)}:{listen.Port}";
        }

        if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new UsageException($"endpoint '{target}' is not a URL. Use https://host:port, e.g. https://127.0.0.1:50051.");

        HubCertificateCheck? hubCheck = null;
        caFile ??= config is null ? null : Path.Combine(config.InternalGrpc.Security.CertDir, "ca.crt");
        if (caFile is not null && uri.Scheme == Uri.UriSchemeHttps)
        {
            try
            {
                ProcessTrustStore.UseOnly(caFile); // before the first certificate is loaded: the store reads the variables once
                X509Certificate2Collection roots = [];
                roots.ImportFromPemFile(caFile);
                if (roots.Count == 0)
                    throw new UsageException($"CA file {caFile} holds no certificate.");
                hubCheck = new HubCertificateCheck(roots[0]);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new UsageException($"cannot read the CA file {caFile}: {ex.Message} Set MESH_CA_FILE (or --ca-file) to the hub's ca.crt.");
            }
        }

        return new EndpointSettings(uri, token, hubCheck, isRoot);
    }

    private static MeshConfig LoadConfig(string path)
    {
        try
        {
            return ConfigLoader.Load(path);
        }
        catch (ConfigException ex)
        {
            throw new UsageException(ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read the configuration {path}: {ex.Message}");
        }
    }

    private static string MintRootToken(MeshConfig config)
    {
        SigningKeyRing keys;
        try
        {
            keys = SharedSecretStore.Load(config);
        }
        catch (Exception ex) when (ex is Mesh.Pki.PkiException or IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot mint a root token: {ex.Message}");
        }

        var auth = config.InternalGrpc.Auth;
        return new CallTokenIssuer(auth.Issuer, auth.Audience).MintWithRootKey(keys, CallerScope.Root, "root", TimeSpan.FromMinutes(10));
    }

    // An agent run's token file, rewritten by its node before the token expires: read on every call, never cached.
    private static string? TokenFromFile(string? path)
    {
        if (path is null)
            return null;
        try
        {
            var token = File.ReadAllText(path).Trim();
            return token.Length > 0 ? token : throw new UsageException($"MESH_ACTOR_TOKEN_FILE {path} is empty.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read MESH_ACTOR_TOKEN_FILE {path}: {ex.Message}");
        }
    }

    private static string? Env(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
