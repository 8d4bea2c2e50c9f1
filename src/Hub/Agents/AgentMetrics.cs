using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Mesh.Core.Protocol;
using Mesh.Hosting.Metrics;

namespace Mesh.Hub.Agents;

/// <summary>
/// Agents' instruments, from the status events nodes send (each stored once, so each run counts once): runs
/// started, runs ended by exit reason, agents by state, and the start time an operator sees — from the start,
/// restart or create that asked for a run to the node's event that the run is running.
/// </summary>
public sealed class AgentMetrics : IObservableInstruments
{
    private readonly Counter<long> _starts;
    private readonly Counter<long> _exits;
    private readonly Histogram<double> _startDuration;
    private readonly TimeProvider _time;
    private readonly AgentStore _store;

    // Per agent (bounded by the agents defined): when a start was asked for, and the last run counted.
    private readonly ConcurrentDictionary<string, long> _startsAsked = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _lastStarted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _lastEnded = new(StringComparer.Ordinal);

    public AgentMetrics(AgentStore store, TimeProvider time, IMeterFactory meters)
    {
        _store = store;
        _time = time;
        var meter = HubMeter.Get(meters);
        _starts = meter.CreateCounter<long>("mesh.agent.starts", "{run}", "Agent runs that started (a process running on its node), as the nodes report them.");
        _exits = meter.CreateCounter<long>("mesh.agent.exits", "{run}",
            "Agent runs that ended, by reason: exited, stopped, killed, crashed, oom, start_failed, node_lost, output_limit.");
        _startDuration = meter.SecondsHistogram("mesh.agent.start.duration",
            "From an operator's start, restart or create of an agent to the node's report that its run is running.");
        meter.CreateObservableGauge("mesh.agents", CountByState, "{agent}",
            "Agents by their last reported state (running, stopping, stopped, exited, backoff, crash_loop, waiting; unknown before the first report).");
    }

    /// <summary>An operator asked for a new run of the agent: its start time is measured from now.</summary>
    internal void StartAsked(string agentId) => _startsAsked[agentId] = _time.GetTimestamp();

    internal void Forget(string agentId)
    {
        _startsAsked.TryRemove(agentId, out _);
        _lastStarted.TryRemove(agentId, out _);
        _lastEnded.TryRemove(agentId, out _);
    }

    /// <summary>Status events just stored for the first time.</summary>
    internal void Recorded(IReadOnlyList<AgentStatus> statuses)
    {
        foreach (var status in statuses)
        {
            if (status.Run is not { } run || string.IsNullOrEmpty(run.RunId))
                continue;
            if (run.Exit is { } exit)
            {
                if (!IsRepeat(_lastEnded, status.AgentId, run.RunId))
                    _exits.Add(1, new KeyValuePair<string, object?>("reason", string.IsNullOrEmpty(exit.Reason) ? "unknown" : exit.Reason));
            }
            else if (status.State == "running" && !IsRepeat(_lastStarted, status.AgentId, run.RunId))
            {
                _starts.Add(1);
                if (_startsAsked.TryRemove(status.AgentId, out var asked))
                    _startDuration.Record(_time.GetElapsedTime(asked).TotalSeconds);
            }
        }
    }

    private static bool IsRepeat(ConcurrentDictionary<string, string> last, string agentId, string runId)
    {
        var previous = last.GetValueOrDefault(agentId);
        last[agentId] = runId;
        return string.Equals(previous, runId, StringComparison.Ordinal);
    }

    private IEnumerable<Measurement<int>> CountByState() =>
        _store.List()
            .GroupBy(a => _store.Status(a.Id)?.State is { Length: > 0 } state ? state : "unknown", StringComparer.Ordinal)
            .Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("state", g.Key)));
}
