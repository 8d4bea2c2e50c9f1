using System.Diagnostics.Metrics;
using Mesh.Hosting.Metrics;

namespace Mesh.Node.Session;

/// <summary>The node's side of its session with the hub: whether it is attached, how often it is lost, how late heartbeats leave.</summary>
internal sealed class NodeSessionMetrics
{
    private readonly Counter<long> _losses;
    private readonly Histogram<double> _sendLag;
    private int _attached;

    public NodeSessionMetrics(IMeterFactory meters)
    {
        var meter = NodeMeter.Get(meters);
        meter.CreateObservableGauge("mesh.node.session.attached", () => Volatile.Read(ref _attached), "{session}",
            "1 while the node's session with the hub is attached (the hub welcomed it), else 0.");
        _losses = meter.CreateCounter<long>("mesh.node.session.losses", "{session}",
            "Sessions with the hub that ended or could not attach while the node kept running (the node retries with backoff).");
        _sendLag = meter.SecondsHistogram("mesh.node.heartbeat.send.lag",
            "From a heartbeat's tick to its write on the session stream: time spent behind a message being written or HTTP/2 flow control.");
    }

    public void Attached() => Volatile.Write(ref _attached, 1);

    public void Lost()
    {
        Volatile.Write(ref _attached, 0);
        _losses.Add(1);
    }

    public void HeartbeatSent(TimeSpan lag) => _sendLag.Record(lag.TotalSeconds);
}
