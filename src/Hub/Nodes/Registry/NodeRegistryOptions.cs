namespace Mesh.Hub.Nodes.Registry;

/// <summary>
/// Timings of the live registry: 4 s heartbeats, offline after 3 missed (12 s) — so a node that goes silent is
/// offline within 12.25 s of its last heartbeat (one sweep later at most), well inside the 15 s operators are promised.
/// </summary>
public sealed class NodeRegistryOptions
{
    /// <summary>How often nodes send a heartbeat (told to each node in the session welcome).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Heartbeats missed before a connected node counts as offline (and its session is dropped).</summary>
    public int MissedHeartbeatsOffline { get; set; } = 3;

    /// <summary>After a stream closes, how long the node keeps its status in case it reconnects at once.</summary>
    public TimeSpan DisconnectGrace { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often coalesced live state is written to the store (one transaction).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often status timers are checked.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Heartbeats that change nothing but the metrics reach subscribers at most this often per node: by default every
    /// heartbeat, so "last heartbeat" and CPU are as fresh as the node (the streams coalesce what they send).
    /// </summary>
    public TimeSpan MetricsPublishInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Resolution and length of the in-memory heartbeat history (the node page chart).</summary>
    public TimeSpan HistoryResolution { get; set; } = TimeSpan.FromSeconds(30);

    public int HistoryPoints { get; set; } = 120;

    internal TimeSpan DegradedAfter => HeartbeatInterval * 1.5;

    internal TimeSpan OfflineAfter => HeartbeatInterval * MissedHeartbeatsOffline;
}
