using Mesh.Node.Agents.Output;

namespace Mesh.Node.Agents;

internal sealed partial class AgentSupervisor
{
    private static readonly TimeSpan HousekeepingEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromSeconds(10);
    private DateTimeOffset _lastPrune;

    /// <summary>Once a second: refresh token files, hold runs to the output limits, prune old runs' folders.</summary>
    private void Housekeeping()
    {
        var now = _time.GetUtcNow();
        if (now - _lastHousekeeping < HousekeepingEvery)
            return;
        _lastHousekeeping = now;
        foreach (var slot in _slots.Values)
        {
            if (slot.Run is not { EndingBecause: null } run)
                continue;
            if (now - run.TokenWrittenAt >= _tokens.RefreshAfter)
                RefreshToken(slot, run, now);
            HoldToOutputLimit(slot, run);
        }

        // Pruning reads every finished run and sizes its files: not every second.
        if (now - _lastPrune >= PruneEvery)
        {
            _lastPrune = now;
            PruneFinishedRuns();
        }
    }

    private void RefreshToken(AgentSlot slot, ActiveRun run, DateTimeOffset now)
    {
        try
        {
            _tokens.Write(run.Folder.TokenFile, slot.AgentId);
            run.TokenWrittenAt = now;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or System.Text.Json.JsonException)
        {
            AgentLog.TokenRefreshFailed(_logger, slot.AgentId, ex.Message);
        }
    }

    private void HoldToOutputLimit(AgentSlot slot, ActiveRun run)
    {
        var limit = _options.OutputLimitPerRun;
        var over = new[] { RunFolder.StdoutFile, RunFolder.StderrFile }
            .Any(s => run.Folder.Size(s) - run.Folder.DroppedBefore(s) > limit);
        if (!over)
            return;
        if (!slot.Spec.KillOnOutputLimit && run.Folder.DropOldest(limit))
        {
            AgentLog.OutputLimit(_logger, slot.AgentId, run.Record.RunId, limit, "dropped the oldest output");
            return;
        }

        AgentLog.OutputLimit(_logger, slot.AgentId, run.Record.RunId, limit, "ending the run");
        run.EndingBecause = ExitReasons.OutputLimit;
        KillNow(run);
    }

    /// <summary>Deletes the folders of finished runs, oldest first, while all runs' output exceeds the node's total.</summary>
    private void PruneFinishedRuns()
    {
        var finished = _store.FinishedRuns();
        if (finished.Count == 0)
            return;
        var active = _slots.Values.Where(s => s.Run is not null).Sum(s => s.Run!.Folder.BytesOnDisk());
        var folders = finished.Select(r => (Run: r, Folder: new RunFolder(Path.Combine(_options.RunsRoot, r.RunId)))).ToList();
        var total = active + folders.Sum(f => f.Folder.BytesOnDisk());
        // The last run of each agent stays while it is the agent's latest word (its last lines are in the status).
        var latest = _slots.Values.Select(s => s.LastRun?.RunId).Where(id => id is not null).ToHashSet(StringComparer.Ordinal);
        foreach (var (run, folder) in folders)
        {
            if (total <= _options.OutputLimitTotal)
                return;
            if (latest.Contains(run.RunId))
                continue;
            total -= folder.BytesOnDisk();
            folder.Delete();
            _store.DeleteRun(run.RunId);
        }
    }
}
