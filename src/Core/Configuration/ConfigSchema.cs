namespace Mesh.Core.Configuration;

public enum ConfigValueType
{
    String,
    Boolean,
    Integer,
    StringArray,
    /// <summary>One string, or an array of them (read as a list either way; each element keeps its own position).</summary>
    StringOrStringArray,
    /// <summary>A duration written as a string: "500ms", "30s", "5m", "1h", "7d".</summary>
    Duration,
}

/// <summary>One configuration key: its section, type, default and meaning. The single source for binding, env overrides and the docs.</summary>
public sealed record ConfigKey(string Section, string Name, ConfigValueType Type, string? Default, string Description, ConfigRange? Range = null)
{
    public string Path => $"{Section}.{Name}";

    /// <summary>The environment variable that overrides this key: MESH_&lt;SECTION&gt;__&lt;KEY&gt;, nested sections joined by "__".</summary>
    public string EnvironmentVariable => "MESH_" + string.Join("__", Path.Split('.')).ToUpperInvariant();

    /// <summary>An integer value of this key: accepted inside its range, else the error names the range.</summary>
    public bool AcceptsInteger(long number, string written, out object value, out string error)
    {
        value = number;
        error = Range is { } range && !range.Contains(number) ? range.OutOfRange(written) : string.Empty;
        return error.Length == 0;
    }
}

/// <summary>Every section and key Mesh understands. Later features add their keys here.</summary>
public static class ConfigSchema
{
    public static IReadOnlyList<string> Sections { get; } =
    [
        "server", "internal_grpc", "internal_grpc.security", "internal_grpc.auth", "internal_grpc.bootstrap",
        "hub", "node", "worktree", "admin", "mailbox", "metrics", "store",
    ];

    public static IReadOnlyList<ConfigKey> Keys { get; } =
    [
        new("server", "role", ConfigValueType.String, "\"hub\"", "\"hub\" or \"node\". `mesh run --node-mode` forces \"node\"."),
        new("server", "listen", ConfigValueType.String, "\"127.0.0.1:8080\"", "Hub: address of the web UI and REST API (host:port; port 0 picks a free port)."),
        new("server", "node_id", ConfigValueType.String, null, "Node: this node's id, 2-64 characters of [A-Za-z0-9._-]. Required for role \"node\"; the hub's embedded node is \"main\" unless set."),
        new("server", "embedded_node", ConfigValueType.Boolean, "true", "Hub: also run a local node in this process (id node_id, default \"main\"), joined through the normal enrollment path."),
        new("server", "tls_cert", ConfigValueType.String, null, "Hub: PEM certificate file (the server certificate first, then any intermediates, which are sent to clients) for the web UI / REST listener, which then serves HTTPS. Needs tls_key. Without both the listener is plain HTTP: keep it on loopback or behind a TLS proxy."),
        new("server", "tls_key", ConfigValueType.String, null, "Hub: PEM private key of tls_cert; it must be 0600 (group/other access is refused with the chmod that fixes it)."),
        new("server", "data_dir", ConfigValueType.String, "\"/var/lib/mesh\"", "SQLite file(s) and node state. Relative paths are relative to the config file's folder."),

        new("internal_grpc", "enabled", ConfigValueType.Boolean, "true", "Serve (hub) or use (node) the internal gRPC API."),
        new("internal_grpc", "listen", ConfigValueType.String, "\"0.0.0.0:50051\"", "Address of the internal gRPC listener (TLS or mTLS)."),
        new("internal_grpc", "health_listen", ConfigValueType.String, null, "Optional plaintext listener serving only grpc.health.v1.Health (for Kubernetes gRPC probes), e.g. \"0.0.0.0:50052\"."),
        new("internal_grpc", "advertise", ConfigValueType.StringArray, "[]", "Hub: extra DNS names / IP addresses put into the hub's server certificate (localhost and 127.0.0.1 are always included)."),

        new("internal_grpc.security", "mode", ConfigValueType.String, "\"tls\"", "\"tls\" (server certificate + JWT) or \"mtls\" (client certificates too)."),
        new("internal_grpc.security", "cert_dir", ConfigValueType.String, "\"<data_dir>/certs\" (required in mtls mode)", "Folder of ca.crt, ca.key (hub), hub.crt/hub.key, node.crt/node.key."),
        new("internal_grpc.security", "node_certificate_lifetime", ConfigValueType.Duration, "\"24h\"", "Hub: lifetime of node certificates (10s to 30d); nodes renew at a random point between 50% and 80% of it.",
            ConfigRange.Duration(TimeSpan.FromSeconds(10), TimeSpan.FromDays(30), "Short-lived certificates are the point; 24h is the default.")),

        new("internal_grpc.auth", "shared_secret", ConfigValueType.String, "generated into cert_dir/auth_secret.txt (0600)", "HS256 secret for internal JWTs; at least 32 bytes of random text."),
        new("internal_grpc.auth", "previous_secrets", ConfigValueType.StringArray, "[]", "Older secrets still accepted, for rotation without downtime."),
        new("internal_grpc.auth", "issuer", ConfigValueType.String, "\"mesh\"", "JWT issuer."),
        new("internal_grpc.auth", "audience", ConfigValueType.String, "\"mesh-internal\"", "JWT audience."),
        new("internal_grpc.auth", "clock_skew", ConfigValueType.Duration, "\"30s\"", "Allowed clock difference when checking JWT times (0s to 5m).",
            ConfigRange.Duration(TimeSpan.Zero, TimeSpan.FromMinutes(5), "Fix the clocks (NTP) instead of widening the window.")),

        new("internal_grpc.bootstrap", "token", ConfigValueType.String, null, "Hub: the reusable cluster bootstrap token (optional). Node: the token it joins with."),

        new("hub", "target", ConfigValueType.StringOrStringArray, null, "Node: the hub's internal gRPC address, https://host:port, or a list of them (several hubs serving one mesh); a DNS name may resolve to several hubs. The node connects to the first it can reach and fails over to the next with backoff, keeping its identity. Required for role \"node\"."),

        new("hub", "output_limit_per_run", ConfigValueType.Integer, "16777216", "Hub: bytes of each stream (stdout, stderr) of a run the hub keeps (64 KiB to 1 TiB): the last ones; older output is dropped on the hub (positions stay, readers are told) but the node may still have it.",
            ConfigRange.Integer(64L << 10, 1L << 40, "The hub keeps output for live views and their resume; the node keeps more.")),
        new("hub", "output_limit_total", ConfigValueType.Integer, "4294967296", "Hub: bytes of output all runs keep on the hub together (1 MiB to 16 TiB, at least output_limit_per_run); beyond it the output of the runs written to longest ago goes first.",
            ConfigRange.Integer(1L << 20, 1L << 44, "Keep it well below the free space of data_dir.")),

        new("hub", "max_replicas", ConfigValueType.Integer, "100", "Hub: most runs one agent may be scaled to (the agent itself and its replicas; 1 to 10000). A scale above it is refused (400).",
            ConfigRange.Integer(1, 10_000, "Each replica is a full run with its own mailbox and work folder; split the work over several agents instead.")),

        new("node", "name", ConfigValueType.String, null, "Display name (defaults to node_id)."),
        new("node", "capabilities", ConfigValueType.StringArray, "[]", "Free-form capability tags used for placement, e.g. [\"gpu\", \"docker\"]."),
        new("node", "safe_paths", ConfigValueType.StringArray, "[]", "Absolute folders agents on this node may use (symlinks resolved)."),
        new("node", "local_listen", ConfigValueType.String, "\"127.0.0.1:50055\" (node), \"\" (hub)", "Loopback host:port of this node's local mailbox endpoint (plaintext h2c, mesh.v1.Mailbox relayed to the hub; callers need an actor token, see `mesh actor-token`). Only 127.0.0.0/8, [::1] or localhost; port 0 picks a free port; \"\" turns it off. On a hub it serves the embedded node and is off unless set."),

        new("node", "max_agents", ConfigValueType.Integer, "100", "Node: most agent runs at once (1 to 10000); more wait as \"node full\". Reported in heartbeats for placement.",
            ConfigRange.Integer(1, 10_000, "Size it to the machine: each agent is a process tree of its own.")),
        new("node", "output_limit_per_run", ConfigValueType.Integer, "67108864", "Node: bytes of each stream (stdout, stderr) a run keeps on disk (1 MiB to 1 TiB); older output is dropped (positions stay) or, for agents that ask, the run ends with reason output_limit.",
            ConfigRange.Integer(1L << 20, 1L << 40, "Output is kept for the live view and its resume, not as an archive.")),
        new("node", "output_limit_total", ConfigValueType.Integer, "1073741824", "Node: bytes of output all runs keep on disk together (1 MiB to 16 TiB); the oldest finished runs' output goes first.",
            ConfigRange.Integer(1L << 20, 1L << 44, "Keep it well below the free space of data_dir.")),
        new("node", "agent_token_lifetime", ConfigValueType.Duration, "\"1h\"", "Node: lifetime of the actor token in a run's MESH_ACTOR_TOKEN_FILE (1m to 24h); the node rewrites the file at half of it.",
            ConfigRange.Duration(TimeSpan.FromMinutes(1), TimeSpan.FromHours(24), "Short-lived tokens are the point; the file is refreshed for you.")),

        new("worktree", "default_root", ConfigValueType.String, null, "Node: folder (absolute) of agent worktrees made without a path (`<default_root>/<repo>-<agent>-<short id>`); always allowed besides safe_paths. Reported to the hub (node page)."),
        new("worktree", "quota", ConfigValueType.Integer, null, "Node: bytes all agent worktrees (owned and kept) may take together (1 MiB to 1 PiB); past it a new worktree is refused (start_failed: worktree quota exceeded). Unset: no quota.",
            ConfigRange.Integer(1L << 20, 1L << 50, "Give bytes, e.g. 53687091200 for 50 GiB.")),
        new("worktree", "usage_interval", ConfigValueType.Duration, "\"5m\"", "Node: how old a worktree's measured size may get before it is walked again (10s to 1d); sizes go into heartbeats and the quota check.",
            ConfigRange.Duration(TimeSpan.FromSeconds(10), TimeSpan.FromHours(24), "Walking big trees costs disk reads; minutes are plenty.")),

        new("admin", "api_token", ConfigValueType.String, null, "Optional root bearer token for the REST API (automation); at least 32 bytes."),
        new("admin", "root_password_hash", ConfigValueType.String, null, "Optional hash of the root operator's password; when absent the first start creates a one-time password."),

        new("mailbox", "max_payload_bytes", ConfigValueType.Integer, "1048576", "Hub: largest message payload in UTF-8 bytes (1024 to 3145728); a larger send is refused with RESOURCE_EXHAUSTED.",
            ConfigRange.Integer(MailboxConfig.MinPayloadBytes, MailboxConfig.MaxAllowedPayloadBytes, "3 MiB at most: larger payloads belong in files, send their path.")),
        new("mailbox", "max_watch_streams", ConfigValueType.Integer, "4096", "Hub: concurrent Watch streams on the hub (1 to 100000); one more is refused with RESOURCE_EXHAUSTED. Each costs roughly 12-24 KB while open.",
            ConfigRange.Integer(1, 100_000, "Each open stream holds memory on the hub.")),
        new("mailbox", "max_watch_streams_per_actor", ConfigValueType.Integer, "16", "Hub: concurrent Watch streams of one actor (1 to 1000); one more is refused with RESOURCE_EXHAUSTED.",
            ConfigRange.Integer(1, 1000, "An agent needs one stream; a few more cover restarts.")),

        new("metrics", "enabled", ConfigValueType.Boolean, "true", "Hub: serve Prometheus metrics at /metrics on the web listener (docs/operations.md#metrics lists them). false also keeps a node's node_listen closed."),
        new("metrics", "require_auth", ConfigValueType.Boolean, "true", "Hub: /metrics needs a root or viewer API token (Authorization: Bearer) or a UI session. Node: its /metrics needs node_token. false lets anyone who reaches the listener scrape (node ids, counts and disk figures become public to them)."),
        new("metrics", "node_listen", ConfigValueType.String, null, "Node process: plaintext HTTP/1.1 listener serving only /metrics (the node's own instruments), e.g. \"0.0.0.0:9464\". Off unless set; a hub ignores it."),
        new("metrics", "node_token", ConfigValueType.String, null, "Node: the bearer token Prometheus sends to the node's /metrics (Authorization: Bearer), at least 32 bytes; required when node_listen is set and require_auth is true."),

        new("store", "kind", ConfigValueType.String, "\"sqlite\"", "Hub: where the hub keeps its state: \"sqlite\" (one file in data_dir, the default) or \"postgres\" (a PostgreSQL server; docs/operations.md#postgresql)."),
        new("store", "url", ConfigValueType.String, null, "Hub, kind \"postgres\": postgres://user@host:port/database, optionally ?sslmode= one of disable, allow, prefer, require, verify-ca, verify-full. No password here: use password_file or password_env."),
        new("store", "password_file", ConfigValueType.String, null, "Hub, kind \"postgres\": file holding the database password (first line; e.g. a mounted Secret); no access for other users (chmod 600 or 640)."),
        new("store", "password_env", ConfigValueType.String, null, "Hub, kind \"postgres\": name of the environment variable holding the database password (instead of password_file)."),
        new("store", "pool_size", ConfigValueType.Integer, "20", "Hub, kind \"postgres\": most connections this hub opens to PostgreSQL (1 to 1000). Several hubs add up: keep the sum below the server's max_connections.",
            ConfigRange.Integer(1, 1000, "Size it to the server's max_connections divided by the number of hubs.")),
        new("store", "statement_timeout", ConfigValueType.Duration, "\"30s\"", "Hub, kind \"postgres\": longest a statement may run before PostgreSQL cancels it (1s to 1h).",
            ConfigRange.Duration(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), "Hub statements take milliseconds; a long timeout only hides a stuck server.")),
        new("store", "hub_lease", ConfigValueType.Duration, "\"15s\"", "Hub, kind \"postgres\": how long this hub's lease in the database lasts without renewal (renewed every third of it). When a hub dies, the other hubs treat the node sessions it held as gone, and its in-flight commands as failed, once it expires (3s to 5m).",
            ConfigRange.Duration(TimeSpan.FromSeconds(3), TimeSpan.FromMinutes(5), "Shorter notices a dead hub sooner but needs the hubs' clocks closer together and PostgreSQL answering within a third of it.")),
    ];

    public static ConfigKey? Find(string section, string name) =>
        Keys.FirstOrDefault(k => k.Section == section && k.Name == name);

    public static IEnumerable<ConfigKey> InSection(string section) => Keys.Where(k => k.Section == section);
}
