using System.Diagnostics.Metrics;

namespace Mesh.Hub.Nodes.Sessions;

/// <summary>Node sessions' instruments: live sessions, the gap between a session's heartbeats, sessions the hub ended.</summary>
public sealed class SessionMetrics
{
    private readonly UpDownCounter<int> _sessions;
    private readonly Histogram<double> _heartbeatInterval;
    private readonly Counter<long> _dropped;

    public SessionMetrics(IMeterFactory meters)
    {
        var meter = HubMeter.Get(meters);
        _sessions = meter.CreateUpDownCounter<int>("mesh.node.sessions", "{session}", "Node sessions attached to this hub now.");
        _heartbeatInterval = meter.CreateHistogram("mesh.node.heartbeat.interval", "s",
            "Time between two heartbeats of one session as they arrive (sent every 4 s: the excess is network or node lag).",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 3, 3.5, 4, 4.5, 5, 6, 8, 10, 12, 20, 30] });
        _dropped = meter.CreateCounter<long>("mesh.node.session.drops", "{session}",
            "Sessions the hub ended, by reason: heartbeat_timeout, revoked, replaced (the node attached again), shutdown.");
    }

    internal void Attached() => _sessions.Add(1);

    internal void Detached() => _sessions.Add(-1);

    internal void HeartbeatArrived(TimeSpan sincePrevious) => _heartbeatInterval.Record(sincePrevious.TotalSeconds);

    internal void Dropped(string reason) => _dropped.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
