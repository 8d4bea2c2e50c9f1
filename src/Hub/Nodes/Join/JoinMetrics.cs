using System.Diagnostics.Metrics;

namespace Mesh.Hub.Nodes.Join;

/// <summary>Enrollment's instrument: every enrollment attempt by its result.</summary>
public sealed class JoinMetrics(IMeterFactory meters)
{
    private readonly Counter<long> _enrollments = HubMeter.Get(meters).CreateCounter<long>("mesh.node.enrollments", "{enrollment}",
        "Enrollment attempts (a node joining with a token) by result: ok, refused (bad, spent or expired token, taken id, …), throttled (too many failures from the address).");

    internal void Enrolled() => _enrollments.Add(1, new KeyValuePair<string, object?>("result", "ok"));

    internal void Refused(bool throttled) => _enrollments.Add(1, new KeyValuePair<string, object?>("result", throttled ? "throttled" : "refused"));
}
