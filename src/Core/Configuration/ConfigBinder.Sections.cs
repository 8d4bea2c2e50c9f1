namespace Mesh.Core.Configuration;

internal sealed partial class ConfigBinder
{
    // Ranges are checked when the values are read (ConfigSchema).
    private MailboxConfig BindMailbox() => new(
        Int("mailbox.max_payload_bytes") ?? MailboxConfig.Default.MaxPayloadBytes,
        Int("mailbox.max_watch_streams") ?? MailboxConfig.Default.MaxWatchStreams,
        Int("mailbox.max_watch_streams_per_actor") ?? MailboxConfig.Default.MaxWatchStreamsPerActor);

    private MetricsConfig BindMetrics(MeshRole role)
    {
        var metrics = new MetricsConfig(
            _raw.Get("metrics.enabled")?.Value as bool? ?? MetricsConfig.Default.Enabled,
            _raw.Get("metrics.require_auth")?.Value as bool? ?? MetricsConfig.Default.RequireAuth)
        {
            NodeListen = BindListen("metrics.node_listen", null),
            NodeToken = BindSecret("metrics.node_token", "the node metrics token"),
        };
        // Only a node opens node_listen: a hub reading the same file (deploy/kubernetes/mesh.toml) needs no node token.
        if (role == MeshRole.Node && metrics.NodeServes && metrics.RequireAuth && metrics.NodeToken is null && _raw.Get("metrics.node_token") is null)
            Problem(_raw.Get("metrics.node_listen")!, "a node's /metrics needs a scrape token while require_auth is true. Add node_token = \"...\" under [metrics] "
                + "(or MESH_METRICS__NODE_TOKEN; generate one with: openssl rand -base64 32), or set require_auth = false if only your monitoring reaches node_listen.");
        return metrics;
    }

    private HubOutputConfig BindHubOutput()
    {
        var perRun = Long("hub.output_limit_per_run") ?? HubOutputConfig.Default.LimitPerRun;
        var total = Long("hub.output_limit_total") ?? HubOutputConfig.Default.LimitTotal;
        if (perRun > total)
        {
            var at = _raw.Get("hub.output_limit_total") ?? _raw.Get("hub.output_limit_per_run")!;
            Problem(at, $"output_limit_total ({total}) is less than output_limit_per_run ({perRun}): one run's stream could not be kept. Raise output_limit_total or lower output_limit_per_run.");
        }

        return new HubOutputConfig(perRun, total);
    }

    private int? Int(string path) => _raw.Get(path)?.Value is long value ? (int)value : null;

    private long? Long(string path) => _raw.Get(path)?.Value as long?;
}
