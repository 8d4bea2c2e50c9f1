namespace Mesh.Core.Configuration;

/// <summary>Turns raw values into a <see cref="MeshConfig"/>, applying defaults and checking every rule.</summary>
internal sealed partial class ConfigBinder
{
    private readonly RawConfig _raw;
    private readonly List<ConfigProblem> _problems;
    private readonly string _baseDirectory;
    private readonly string _sourcePath;
    private readonly IReadOnlyDictionary<string, string?> _environment;

    public ConfigBinder(RawConfig raw, List<ConfigProblem> problems, string baseDirectory, string sourcePath, IReadOnlyDictionary<string, string?> environment)
    {
        _environment = environment;
        _raw = raw;
        _problems = problems;
        _baseDirectory = baseDirectory;
        _sourcePath = sourcePath;
    }

    public MeshConfig? Bind(MeshRole? forceRole)
    {
        var role = forceRole ?? BindRole();
        var server = BindServer(role);
        var grpc = BindInternalGrpc(role, server.DataDir);
        var hub = new HubTargetConfig(role == MeshRole.Node ? BindHubTargets() : []);
        var node = new NodeConfig(
            String("node.name"),
            BindCapabilities(),
            BindAbsolutePaths("node.safe_paths"))
        {
            LocalListen = BindLocalListen(role, out var localIsDefault),
            LocalListenIsDefault = localIsDefault,
            MaxAgents = Int("node.max_agents") ?? 100,
            OutputLimitPerRun = Long("node.output_limit_per_run") ?? 64L << 20,
            OutputLimitTotal = Long("node.output_limit_total") ?? 1L << 30,
            AgentTokenLifetime = _raw.Get("node.agent_token_lifetime")?.Value as TimeSpan? ?? TimeSpan.FromHours(1),
        };
        var worktree = new WorktreeConfig(BindAbsolutePath("worktree.default_root"))
        {
            Quota = Long("worktree.quota"),
            UsageInterval = _raw.Get("worktree.usage_interval")?.Value as TimeSpan? ?? TimeSpan.FromMinutes(5),
        };
        var admin = new AdminConfig(BindSecret("admin.api_token", "an API token"), String("admin.root_password_hash"));
        var mailbox = BindMailbox();
        var metrics = BindMetrics(role);
        var store = BindStore(role);
        var hubOutput = BindHubOutput();
        return _problems.Count == 0 ? new MeshConfig(_sourcePath, server, grpc, hub, node, worktree, admin) { Mailbox = mailbox, Metrics = metrics, Store = store, HubOutput = hubOutput, MaxReplicas = (int)(Long("hub.max_replicas") ?? MeshConfig.DefaultMaxReplicas) } : null;
    }

    private MeshRole BindRole()
    {
        var value = _raw.Get("server.role");
        switch (value?.Value as string)
        {
            case null or "hub":
                return MeshRole.Hub;
            case "node":
                return MeshRole.Node;
            default:
                var text = (string)value.Value;
                Problem(value, $"unknown role '{text}'.{Suggestions.DidYouMean(text, ["hub", "node"])} Use \"hub\" or \"node\".");
                return MeshRole.Hub;
        }
    }

    private ServerConfig BindServer(MeshRole role)
    {
        var listen = BindListen("server.listen", "127.0.0.1:8080")!;
        var nodeId = _raw.Get("server.node_id");
        string? id = null;
        if (nodeId is not null)
        {
            id = (string)nodeId.Value;
            // A hub's node_id names its embedded node, which alone may be "main".
            if (!NodeIds.IsValid(id, out var error))
                Problem(nodeId, error);
            else if (NodeIds.IsReserved(id) && !(role == MeshRole.Hub && id == NodeIds.EmbeddedNodeDefault))
                Problem(nodeId, NodeIds.ReservedMessage(id));
        }
        else if (role == MeshRole.Node)
        {
            Missing("server", "node_id", "a node needs an id. Add node_id = \"node-01\" under [server] (or set MESH_SERVER__NODE_ID, e.g. from the pod's spec.nodeName).");
        }

        var dataDir = ResolvePath(String("server.data_dir") ?? "/var/lib/mesh");
        return new ServerConfig(role, listen, id, dataDir, _raw.Get("server.embedded_node")?.Value as bool? ?? true, BindWebTls());
    }

    private WebTlsConfig? BindWebTls()
    {
        var certValue = _raw.Get("server.tls_cert");
        var keyValue = _raw.Get("server.tls_key");
        if (certValue is null && keyValue is null)
            return null;
        if (certValue is null || keyValue is null)
        {
            var (present, absent) = certValue is null ? ("tls_key", "tls_cert") : ("tls_cert", "tls_key");
            Problem((certValue ?? keyValue)!, $"{present} needs {absent} too: set both (the certificate and its private key, PEM files) to serve the web UI over HTTPS, or neither.");
            return null;
        }

        var cert = NonEmpty("server.tls_cert");
        var key = NonEmpty("server.tls_key");
        return cert is null || key is null ? null : new WebTlsConfig(ResolvePath(cert), ResolvePath(key));
    }

    private InternalGrpcConfig BindInternalGrpc(MeshRole role, string dataDir)
    {
        var enabled = _raw.Get("internal_grpc.enabled")?.Value as bool? ?? true;
        var listen = BindListen("internal_grpc.listen", "0.0.0.0:50051")!;
        var healthListen = BindListen("internal_grpc.health_listen", null);
        var advertise = BindAdvertise();

        var modeValue = _raw.Get("internal_grpc.security.mode");
        var mode = GrpcSecurityMode.Tls;
        switch (modeValue?.Value as string)
        {
            case null or "tls":
                break;
            case "mtls":
                mode = GrpcSecurityMode.Mtls;
                break;
            default:
                var text = (string)modeValue.Value;
                Problem(modeValue, $"unknown mode '{text}'.{Suggestions.DidYouMean(text, ["tls", "mtls"])} Use \"tls\" or \"mtls\".");
                break;
        }

        var certDirText = String("internal_grpc.security.cert_dir");
        if (certDirText is null && mode == GrpcSecurityMode.Mtls)
            Missing("internal_grpc.security", "cert_dir", "mtls mode needs the folder of this process's certificates. Add cert_dir = \"/etc/mesh/certs\" under [internal_grpc.security].");
        var certDir = certDirText is null ? Path.Combine(dataDir, "certs") : ResolvePath(certDirText);

        var auth = new GrpcAuthConfig(
            BindSecret("internal_grpc.auth.shared_secret", "the shared secret"),
            BindPreviousSecrets(),
            NonEmpty("internal_grpc.auth.issuer") ?? "mesh",
            NonEmpty("internal_grpc.auth.audience") ?? "mesh-internal",
            BindClockSkew());

        var token = _raw.Get("internal_grpc.bootstrap.token");
        Secret? bootstrap = null;
        if (token is not null)
        {
            var text = (string)token.Value;
            if (text.Length == 0)
                Problem(token, "is empty. Remove the key to disable the bootstrap token, or set a token.");
            else if (BootstrapTokenProblem(role, text) is { } problem)
                Problem(token, problem);
            else
                bootstrap = new Secret(text);
        }

        return new InternalGrpcConfig(enabled, listen, healthListen, advertise, new GrpcSecurityConfig(mode, certDir, BindNodeCertificateLifetime()), auth, bootstrap);
    }

    public const string ClusterSecretCommand = "openssl rand -base64 32 | tr '+/' '-_' | tr -d '='";

    private static readonly System.Buffers.SearchValues<char> Base64UrlChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    // A node needs a whole join token (it carries the CA pin). A hub holds the cluster token: either the whole
    // "mesh1.cluster.<secret>.<pin>" string or just a strong secret.
    private static string? BootstrapTokenProblem(MeshRole role, string text)
    {
        var parsed = Join.JoinToken.TryParse(text, out var token, out var error);
        if (role == MeshRole.Node)
            return parsed ? null : error + ". Paste the whole token the hub gave you (mesh1.<id>.<secret>.<ca-pin>).";
        if (parsed)
            return token!.IsClusterToken ? null : "a hub's bootstrap token must be a cluster token (mesh1.cluster.…) or a bare secret; one-time tokens are created with POST /api/admin/join-tokens.";
        if (!SecretStrength.IsStrong(text, out var reason))
            return $"the cluster bootstrap secret is too weak: {reason} Generate one with: {ClusterSecretCommand}";
        // The secret travels inside the join token, whose parts are base64url: '+', '/' or '=' would make a token every node refuses.
        return text.AsSpan().ContainsAnyExcept(Base64UrlChars)
            ? $"the cluster bootstrap secret may use only base64url characters (letters, digits, '-', '_'; no '+', '/' or '='), as it travels inside the join token. Generate one with: {ClusterSecretCommand}"
            : null;
    }

    private string? String(string path) => _raw.Get(path)?.Value as string;

    private string? NonEmpty(string path)
    {
        var value = _raw.Get(path);
        if (value is null)
            return null;
        var text = (string)value.Value;
        if (text.Trim().Length == 0)
        {
            Problem(value, "must not be empty.");
            return null;
        }

        return text;
    }

    private string ResolvePath(string path) =>
        Path.GetFullPath(path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : Path.Combine(_baseDirectory, path));

    private void Problem(RawValue value, string message) => _problems.Add(new ConfigProblem(value.Location, value.Key.Path, message));

    private void Missing(string section, string key, string message) =>
        _problems.Add(new ConfigProblem(_raw.SectionLocation(section), $"{section}.{key}", $"missing: {message}"));
}
