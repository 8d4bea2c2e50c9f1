namespace Mesh.Core.Configuration;

public enum MeshRole
{
    Hub,
    Node,
}

public enum GrpcSecurityMode
{
    Tls,
    Mtls,
}

/// <summary>The validated configuration of one mesh process. Immutable; built only by <see cref="ConfigLoader"/>.</summary>
public sealed record MeshConfig(
    string? SourcePath,
    ServerConfig Server,
    InternalGrpcConfig InternalGrpc,
    HubTargetConfig Hub,
    NodeConfig Node,
    WorktreeConfig Worktree,
    AdminConfig Admin)
{
    /// <summary>[mailbox] settings (not positional so other sections' constructors stay as they are).</summary>
    public MailboxConfig Mailbox { get; init; } = MailboxConfig.Default;

    /// <summary>[metrics] settings.</summary>
    public MetricsConfig Metrics { get; init; } = MetricsConfig.Default;

    /// <summary>[store]: SQLite (default) or PostgreSQL.</summary>
    public StoreConfig Store { get; init; } = StoreConfig.Default;

    /// <summary>[hub] output_limit_*: how much relayed output the hub keeps.</summary>
    public HubOutputConfig HubOutput { get; init; } = HubOutputConfig.Default;

    public const int DefaultMaxReplicas = 100;

    /// <summary>[hub] max_replicas: most runs (the agent and its replicas) one agent may be scaled to.</summary>
    public int MaxReplicas { get; init; } = DefaultMaxReplicas;

    public string Summary =>
        Server.Role == MeshRole.Hub
            ? $"role hub, web {Server.Listen}, internal gRPC {(InternalGrpc.Enabled ? InternalGrpc.Listen + " (" + InternalGrpc.Security.Mode.ToString().ToLowerInvariant() + ")" : "disabled")}, data_dir {Server.DataDir}, store {Store}"
            : $"role node '{Server.NodeId}', hub {Hub}, {InternalGrpc.Security.Mode.ToString().ToLowerInvariant()}, data_dir {Server.DataDir}";
}

public sealed record ServerConfig(MeshRole Role, ListenAddress Listen, string? NodeId, string DataDir, bool EmbeddedNode = true, WebTlsConfig? WebTls = null);

/// <summary>The web listener's certificate and key files (absolute paths); when set the web UI and REST API serve HTTPS.</summary>
public sealed record WebTlsConfig(string CertificatePath, string KeyPath);

public sealed record InternalGrpcConfig(
    bool Enabled,
    ListenAddress Listen,
    ListenAddress? HealthListen,
    IReadOnlyList<string> Advertise,
    GrpcSecurityConfig Security,
    GrpcAuthConfig Auth,
    Secret? BootstrapToken);

public sealed record GrpcSecurityConfig(GrpcSecurityMode Mode, string CertDir, TimeSpan NodeCertificateLifetime);

public sealed record GrpcAuthConfig(
    Secret? SharedSecret,
    IReadOnlyList<Secret> PreviousSecrets,
    string Issuer,
    string Audience,
    TimeSpan ClockSkew);

/// <summary>[hub] target: the hubs a node may connect to, in the order it tries them (empty on a hub).</summary>
public sealed record HubTargetConfig(IReadOnlyList<Uri> Targets)
{
    public HubTargetConfig(Uri target)
        : this([target])
    {
    }

    /// <summary>The first hub listed: the one a node tries first.</summary>
    public Uri? Target => Targets.Count > 0 ? Targets[0] : null;

    public override string ToString() => string.Join(", ", Targets);
}

public sealed record NodeConfig(string? Name, IReadOnlyList<string> Capabilities, IReadOnlyList<string> SafePaths)
{
    public const string DefaultLocalListen = "127.0.0.1:50055";

    /// <summary>[node] local_listen: the loopback address of the local mailbox endpoint; null when off.</summary>
    public ListenAddress? LocalListen { get; init; }

    /// <summary>True when <see cref="LocalListen"/> is the built-in default rather than the operator's choice.</summary>
    public bool LocalListenIsDefault { get; init; }

    public int MaxAgents { get; init; } = 100;

    public long OutputLimitPerRun { get; init; } = 64L << 20;

    public long OutputLimitTotal { get; init; } = 1L << 30;

    public TimeSpan AgentTokenLifetime { get; init; } = TimeSpan.FromHours(1);
}

public sealed record WorktreeConfig(string? DefaultRoot)
{
    /// <summary>Bytes all worktrees may take together; null: no quota.</summary>
    public long? Quota { get; init; }

    /// <summary>How old a worktree's measured size may get before it is walked again.</summary>
    public TimeSpan UsageInterval { get; init; } = TimeSpan.FromMinutes(5);
}

public sealed record AdminConfig(Secret? ApiToken, string? RootPasswordHash);

public sealed record MailboxConfig(int MaxPayloadBytes, int MaxWatchStreams, int MaxWatchStreamsPerActor)
{
    public const int MinPayloadBytes = 1024;
    public const int MaxAllowedPayloadBytes = 3 * 1024 * 1024;

    public static MailboxConfig Default { get; } = new(1024 * 1024, 4096, 16);
}

/// <summary>[hub] output_limit_per_run and output_limit_total: the last bytes of each run's stream, and of all runs, the hub keeps.</summary>
public sealed record HubOutputConfig(long LimitPerRun, long LimitTotal)
{
    public static HubOutputConfig Default { get; } = new(16L << 20, 4L << 30);
}

/// <summary>[metrics]: the Prometheus endpoints and who may read them.</summary>
public sealed record MetricsConfig(bool Enabled, bool RequireAuth)
{
    /// <summary>A node process's plaintext HTTP/1.1 listener for /metrics only; null: the node serves no metrics.</summary>
    public ListenAddress? NodeListen { get; init; }

    /// <summary>The bearer token a node's /metrics asks for when <see cref="RequireAuth"/>.</summary>
    public Secret? NodeToken { get; init; }

    /// <summary>Whether a node process opens its metrics listener.</summary>
    public bool NodeServes => Enabled && NodeListen is not null;

    public static MetricsConfig Default { get; } = new(Enabled: true, RequireAuth: true);
}
