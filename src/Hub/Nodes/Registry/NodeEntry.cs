namespace Mesh.Hub.Nodes.Registry;

/// <summary>One node in memory: its record (persisted part) and live session state. Guarded by locking the entry.</summary>
internal sealed class NodeEntry(NodeRecord record, int historyPoints)
{
    public NodeRecord Record { get; set; } = record;

    public bool Connected { get; set; }

    /// <summary>Increments on each attach, so a late detach of an older stream cannot touch a newer one.</summary>
    public long Generation { get; set; }

    public DateTimeOffset? DisconnectedAt { get; set; }

    public NodeMetrics? Metrics { get; set; }

    public IReadOnlyList<string> Problems { get; set; } = [];

    public bool Draining { get; set; }

    public int RunningAgents { get; set; }

    /// <summary>The node's [node] max_agents from its last heartbeat (0: not reported yet).</summary>
    public int MaxAgents { get; set; }

    public bool HeartbeatMissed { get; set; }

    public NodeReportedFacts? UnflushedFacts { get; set; }

    public DateTimeOffset LastPublished { get; set; }

    public HeartbeatHistory History { get; } = new(historyPoints);

    public NodeView ToView() => new(Record, Metrics, Connected, Problems, Draining, RunningAgents, MaxAgents);
}

/// <summary>A fixed-size ring of history points, one per resolution step (the latest heartbeat of each step wins).</summary>
internal sealed class HeartbeatHistory(int capacity)
{
    private readonly HistoryPoint[] _points = new HistoryPoint[capacity];
    private int _start;
    private int _count;

    public void Add(HistoryPoint point, TimeSpan resolution)
    {
        if (_count > 0)
        {
            var lastIndex = (_start + _count - 1) % _points.Length;
            if (point.At - _points[lastIndex].At < resolution)
            {
                return;
            }
        }

        if (_count < _points.Length)
        {
            _points[(_start + _count) % _points.Length] = point;
            _count++;
        }
        else
        {
            _points[_start] = point;
            _start = (_start + 1) % _points.Length;
        }
    }

    public HistoryPoint[] Snapshot()
    {
        var result = new HistoryPoint[_count];
        for (var i = 0; i < _count; i++)
            result[i] = _points[(_start + i) % _points.Length];
        return result;
    }
}
