using System.Diagnostics.Metrics;

namespace Mesh.Node.Agents;

/// <summary>The node's own view of its runs: starts, ends by exit reason, and the output they wrote.</summary>
internal sealed class AgentRunMetrics
{
    private readonly Counter<long> _starts;
    private readonly Counter<long> _exits;
    private readonly Counter<long> _output;

    public AgentRunMetrics(IMeterFactory meters)
    {
        var meter = NodeMeter.Get(meters);
        _starts = meter.CreateCounter<long>("mesh.node.agent.starts", "{run}", "Agent runs this node started (a process running).");
        _exits = meter.CreateCounter<long>("mesh.node.agent.exits", "{run}",
            "Agent runs on this node that ended, by reason: exited, stopped, killed, crashed, oom, start_failed, node_lost, output_limit.");
        _output = meter.CreateCounter<long>("mesh.node.run.output", "By", "Bytes ended runs wrote to their output files, by stream (stdout, stderr).");
    }

    public void Started() => _starts.Add(1);

    public void Ended(string reason, long stdoutBytes, long stderrBytes)
    {
        _exits.Add(1, new KeyValuePair<string, object?>("reason", reason));
        if (stdoutBytes > 0)
            _output.Add(stdoutBytes, new KeyValuePair<string, object?>("stream", "stdout"));
        if (stderrBytes > 0)
            _output.Add(stderrBytes, new KeyValuePair<string, object?>("stream", "stderr"));
    }
}
