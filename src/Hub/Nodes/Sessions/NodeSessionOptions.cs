namespace Mesh.Hub.Nodes.Sessions;

/// <summary>Limits of the node session layer: nothing a node (or many) does makes the hub buffer without bound.</summary>
public sealed class NodeSessionOptions
{
    /// <summary>Most concurrent node sessions; more are refused with UNAVAILABLE.</summary>
    public int MaxSessions { get; set; } = 20_000;

    /// <summary>A new stream must say hello within this time.</summary>
    public TimeSpan HelloTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Messages queued to one node before further commands are refused.</summary>
    public int OutboundQueueCapacity { get; set; } = 64;

    /// <summary>Commands awaiting a node's answer at once.</summary>
    public int MaxPendingCommands { get; set; } = 32;

    /// <summary>Heartbeat flood limit: a burst of this many, then <see cref="HeartbeatsPerSecond"/> sustained; beyond it the stream is dropped.</summary>
    public int HeartbeatBurst { get; set; } = 10;

    public double HeartbeatsPerSecond { get; set; } = 1;

    /// <summary>Per-node reconnect limit: a burst of this many attaches, then one per <see cref="ReconnectRefill"/>.</summary>
    public int ReconnectBurst { get; set; } = 10;

    public TimeSpan ReconnectRefill { get; set; } = TimeSpan.FromSeconds(6);
}
