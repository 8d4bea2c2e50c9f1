namespace Mesh.Hub.Nodes.Registry;

public sealed partial class NodeRegistry
{
    /// <summary>A node's session said hello: it is online. Returns the session generation, or null if the node is unknown or revoked.</summary>
    public long? Attach(string id, NodeReportedFacts facts, int runningAgents, bool draining)
    {
        if (!_entries.TryGetValue(id, out var entry))
            return null;
        long generation;
        lock (entry)
        {
            if (entry.Record.Status == NodeStatus.Revoked)
                return null;
            var now = _time.GetUtcNow();
            entry.Connected = true;
            entry.Generation++;
            generation = entry.Generation;
            entry.DisconnectedAt = null;
            entry.HeartbeatMissed = false;
            entry.Problems = [];
            entry.Draining = draining;
            entry.RunningAgents = runningAgents;
            entry.Record = entry.Record with
            {
                ConnectedSince = now,
                LastHeartbeatAt = now,
                Hostname = facts.Hostname,
                Platform = facts.Platform,
                Arch = facts.Arch,
                CpuCount = facts.CpuCount,
                MemoryBytes = facts.MemoryBytes,
                Version = facts.Version,
                Capabilities = facts.Capabilities,
            };
            entry.UnflushedFacts = facts;
            SetStatus(entry, NodeStatus.Online, "session attached");
            entry.LastPublished = now;
        }

        _dirty[id] = 0;
        Publish(id, membershipChanged: false);
        return generation;
    }

    /// <summary>Records a heartbeat of the session <paramref name="generation"/>; false if that session is no longer current.</summary>
    public bool Heartbeat(string id, long generation, NodeMetrics metrics, IReadOnlyList<string> problems, bool draining, int runningAgents, int maxAgents = 0)
    {
        if (!_entries.TryGetValue(id, out var entry))
            return false;
        bool publish;
        lock (entry)
        {
            if (!entry.Connected || entry.Generation != generation)
                return false;
            var now = _time.GetUtcNow();
            var before = entry.Record.Status;
            entry.Record = entry.Record with { LastHeartbeatAt = now };
            entry.Metrics = metrics with { At = now };
            var problemsChanged = !entry.Problems.SequenceEqual(problems, StringComparer.Ordinal);
            entry.Problems = problems;
            var stateChanged = problemsChanged || entry.Draining != draining || entry.RunningAgents != runningAgents || entry.MaxAgents != maxAgents || entry.HeartbeatMissed;
            entry.Draining = draining;
            entry.RunningAgents = runningAgents;
            entry.MaxAgents = maxAgents;
            entry.HeartbeatMissed = false;
            entry.History.Add(new HistoryPoint(now, metrics.CpuUsage, metrics.MemoryUsedFraction), _options.HistoryResolution);
            SetStatus(entry, problems.Count > 0 ? NodeStatus.Degraded : NodeStatus.Online, problems.Count > 0 ? "node reports: " + string.Join("; ", problems) : "heartbeat ok");
            publish = stateChanged || before != entry.Record.Status || now - entry.LastPublished >= _options.MetricsPublishInterval;
            if (publish)
                entry.LastPublished = now;
        }

        _dirty[id] = 0;
        if (publish)
            Publish(id, membershipChanged: false);
        return true;
    }

    /// <summary>A session of the node ended; its status holds for the grace period in case it reconnects.</summary>
    public void Detach(string id, long generation)
    {
        if (!_entries.TryGetValue(id, out var entry))
            return;
        lock (entry)
        {
            if (!entry.Connected || entry.Generation != generation)
                return;
            entry.Connected = false;
            entry.DisconnectedAt = _time.GetUtcNow();
        }
    }

    /// <summary>Whether the session <paramref name="generation"/> is the node's current one.</summary>
    public bool IsCurrent(string id, long generation)
    {
        if (!_entries.TryGetValue(id, out var entry))
            return false;
        lock (entry)
            return entry.Connected && entry.Generation == generation;
    }

    /// <summary>Applies the timers: degraded after one missed heartbeat, offline after three or after the close grace.</summary>
    internal void Sweep()
    {
        var now = _time.GetUtcNow();
        foreach (var entry in _entries.Values)
        {
            string? expired = null;
            long expiredGeneration = 0;
            var changed = false;
            var heldElsewhereExpired = false;
            lock (entry)
            {
                var status = entry.Record.Status;
                if (status is not (NodeStatus.Online or NodeStatus.Degraded))
                    continue;
                if (entry.Connected)
                {
                    var silent = now - (entry.Record.LastHeartbeatAt ?? now);
                    if (silent > _options.OfflineAfter)
                    {
                        entry.Connected = false;
                        entry.Record = entry.Record with { ConnectedSince = null };
                        SetStatus(entry, NodeStatus.Offline, $"no heartbeat for {silent.TotalSeconds:0} s");
                        (expired, expiredGeneration, changed) = (entry.Record.Id, entry.Generation, true);
                    }
                    else if (silent > _options.DegradedAfter && !entry.HeartbeatMissed)
                    {
                        entry.HeartbeatMissed = true;
                        SetStatus(entry, NodeStatus.Degraded, "heartbeat missed");
                        changed = true;
                    }
                }
                else if (entry.DisconnectedAt is null)
                {
                    // Held by another hub: online while that hub keeps storing heartbeats (it flushes every FlushInterval).
                    var silent = now - (entry.Record.LastHeartbeatAt ?? now);
                    if (silent > _options.OfflineAfter + (2 * _options.FlushInterval))
                    {
                        entry.Record = entry.Record with { ConnectedSince = null };
                        SetStatus(entry, NodeStatus.Offline, $"no heartbeat stored by the hub holding its session for {silent.TotalSeconds:0} s");
                        entry.LastPublished = now;
                        heldElsewhereExpired = true; // shown here; the store is that hub's (or the next one's) to write
                    }
                }
                else if (now - entry.DisconnectedAt.Value >= _options.DisconnectGrace)
                {
                    entry.Record = entry.Record with { ConnectedSince = null };
                    SetStatus(entry, NodeStatus.Offline, "session closed");
                    changed = true;
                }

                if (changed)
                    entry.LastPublished = now;
            }

            if (changed)
            {
                _dirty[entry.Record.Id] = 0;
                Publish(entry.Record.Id, membershipChanged: false);
            }
            else if (heldElsewhereExpired)
            {
                Publish(entry.Record.Id, membershipChanged: false);
            }

            if (expired is not null)
            {
                foreach (var expiry in _expiries)
                    expiry.SessionExpired(expired, expiredGeneration);
            }
        }
    }

    /// <summary>Takes the nodes whose live state changed since the last flush.</summary>
    internal List<NodeLiveUpdate> TakeDirty()
    {
        var updates = new List<NodeLiveUpdate>(_dirty.Count);
        foreach (var id in _dirty.Keys)
        {
            _dirty.TryRemove(id, out _);
            if (!_entries.TryGetValue(id, out var entry))
                continue;
            lock (entry)
            {
                updates.Add(new NodeLiveUpdate(id, entry.Record.Status, entry.Record.LastHeartbeatAt, entry.Record.ConnectedSince, entry.UnflushedFacts));
                entry.UnflushedFacts = null;
            }
        }

        return updates;
    }

    /// <summary>A flush failed: mark the nodes dirty again so the next flush retries them.</summary>
    internal void Requeue(IEnumerable<NodeLiveUpdate> updates)
    {
        foreach (var update in updates)
        {
            if (_entries.TryGetValue(update.Id, out var entry) && update.Facts is not null)
            {
                lock (entry)
                    entry.UnflushedFacts ??= update.Facts;
            }

            _dirty[update.Id] = 0;
        }
    }
}
