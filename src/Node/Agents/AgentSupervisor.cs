using System.Collections.Concurrent;
using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Mesh.Core.Protocol;
using Mesh.Node.Agents.Output;
using Mesh.Node.Agents.Processes;
using Mesh.Node.Agents.State;
using Mesh.Node.Agents.Worktrees;
using Mesh.Node.Hosting;
using Mesh.Node.Session;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.Agents;

/// <summary>
/// Reconciles the agents placed on this node towards their specs, like a kubelet: starts runs, stops them (SIGTERM,
/// SIGKILL after the grace), restarts them per policy with backoff, and records every change as an event for the hub.
/// One loop owns all state; it wakes on a new spec set, on a run's end and every quarter second. Stopping the loop
/// (a clean node shutdown) leaves the runs running: their holders do not depend on the node, and the next node
/// process re-adopts them.
/// </summary>
internal sealed partial class AgentSupervisor : INodeLoop
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan HealthyRun = TimeSpan.FromMinutes(10);
    private const int CrashLoopAfter = 3;
    private readonly AgentStore _store;
    private readonly AgentRuntimeOptions _options;
    private readonly RunCgroups _cgroups;
    private readonly RunStarter _starter;
    private readonly NodeDrainState _drain;
    private readonly AgentEventSignal _events;
    private readonly ActorTokenFiles _tokens;
    private readonly WorktreeManager _worktrees;
    private readonly TimeProvider _time;
    private readonly AgentRunMetrics _metrics;
    private readonly ILogger<AgentSupervisor> _logger;
    private readonly Dictionary<string, AgentSlot> _slots = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<IReadOnlyList<AgentSpec>> _applied = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private volatile IReadOnlyList<RunningAgent> _inventory = [];
    private volatile IReadOnlyDictionary<string, ActiveRun> _liveRuns = new Dictionary<string, ActiveRun>();
    private DateTimeOffset _lastHousekeeping;
    private int _live; // slots with a run, counted once per round and kept in step by start and finish

    public AgentSupervisor(AgentStore store, AgentRuntimeOptions options, RunCgroups cgroups, RunStarter starter, NodeDrainState drain,
        AgentEventSignal events, ActorTokenFiles tokens, WorktreeManager worktrees, TimeProvider time, AgentRunMetrics metrics, ILogger<AgentSupervisor> logger)
    {
        _metrics = metrics;
        _worktrees = worktrees;
        _tokens = tokens;
        _store = store;
        _options = options;
        _cgroups = cgroups;
        _starter = starter;
        _drain = drain;
        _events = events;
        _time = time;
        _logger = logger;
    }

    public string Name => "agents";

    /// <summary>The runs alive right now (for the session hello and the heartbeat).</summary>
    public IReadOnlyList<RunningAgent> Inventory => _inventory;

    /// <summary>Each agent's run that has not been seen to end, as of the last round (for input to it).</summary>
    public IReadOnlyDictionary<string, ActiveRun> LiveRuns => _liveRuns;

    /// <summary>The hub's new set of agents for this node (already stored); the loop acts on it at once.</summary>
    public void Apply(IReadOnlyList<AgentSpec> specs)
    {
        _applied.Enqueue(specs);
        _wake.Writer.TryWrite(true);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Load();
        var adopted = _slots.Values.Count(s => s.Run is not null);
        AgentLog.Started(_logger, _slots.Count, adopted, _cgroups.Description);
        while (!cancellationToken.IsCancellationRequested)
        {
            while (_applied.TryDequeue(out var specs))
                Reconcile(specs);
            _live = _slots.Values.Count(s => s.Run is not null);
            foreach (var slot in _slots.Values.ToList())
                await StepAsync(slot, cancellationToken);
            Housekeeping();
            PublishInventory();
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            tick.CancelAfter(Tick);
            try
            {
                await _wake.Reader.ReadAsync(tick.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>Specs from the store, then each saved agent's state, then the runs that were active: alive ones are adopted, the rest finished.</summary>
    private void Load()
    {
        _slots.Clear();
        foreach (var spec in _store.Specs())
            _slots[spec.AgentId] = new AgentSlot(spec);
        foreach (var saved in _store.Agents())
        {
            if (!_slots.TryGetValue(saved.AgentId, out var slot))
                _slots[saved.AgentId] = slot = new AgentSlot(new AgentSpec { AgentId = saved.AgentId }) { Removed = true };
            slot.State = saved.Status.State;
            slot.Message = saved.Status.Message;
            slot.Restarts = saved.Status.Restarts;
            slot.ConsecutiveFailures = saved.Status.ConsecutiveFailures;
            slot.NextStartAt = saved.Status.NextStartAt?.ToDateTimeOffset();
            slot.RestartSeen = saved.RestartSeen;
            slot.KillSeen = saved.KillSeen;
            slot.LastRun = saved.Status.Run?.EndedAt is not null ? saved.Status.Run : null;
        }

        foreach (var record in _store.ActiveRuns())
        {
            if (!_slots.TryGetValue(record.AgentId, out var slot))
                _slots[record.AgentId] = slot = new AgentSlot(new AgentSpec { AgentId = record.AgentId }) { Removed = true };
            var holder = new ProcessIdentity(record.HolderPid, record.HolderStartTicks, record.BootId);
            slot.Run = new ActiveRun(record, new RunFolder(Path.Combine(_options.RunsRoot, record.RunId)), RunCgroup.Parse(record.Cgroup), holder, null)
            {
                TokenWrittenAt = DateTimeOffset.MinValue,
            };
            if (holder.IsAlive())
            {
                slot.State = AgentStates.Running;
                AgentLog.Adopted(_logger, slot.AgentId, record.RunId, record.Pid);
            }
        }

        foreach (var owned in _worktrees.Store.Current().Where(w => w.State == WorktreeRecord.Active))
        {
            if (_slots.TryGetValue(owned.AgentId, out var slot))
                slot.Worktree = owned.Worktree;
            else
                _ = ReleaseWorktreeAsync(owned.AgentId, null); // its agent was forgotten before the release finished
        }
    }

    private void Reconcile(IReadOnlyList<AgentSpec> specs)
    {
        var wanted = specs.ToDictionary(s => s.AgentId, StringComparer.Ordinal);
        foreach (var slot in _slots.Values)
        {
            if (wanted.Remove(slot.AgentId, out var spec))
            {
                slot.Spec = spec;
                slot.Removed = false;
            }
            else
            {
                slot.Removed = true;
            }
        }

        foreach (var spec in wanted.Values)
            _slots[spec.AgentId] = new AgentSlot(spec);
    }

    private async Task StepAsync(AgentSlot slot, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (slot.Run is { } run)
        {
            if (run.HasEnded)
            {
                Finish(slot, run, now);
            }
            else
            {
                Steer(slot, run, now);
                return;
            }
        }

        if (slot.Removed)
        {
            if (slot.Worktree is not null || slot.Preparing is not null)
                _ = ReleaseWorktreeAsync(slot.AgentId, slot.Preparing);
            _slots.Remove(slot.AgentId);
            _store.ForgetAgent(slot.AgentId);
            AgentLog.Forgotten(_logger, slot.AgentId);
            return;
        }

        if (slot.Spec.KillGeneration > slot.KillSeen)
            slot.KillSeen = slot.Spec.KillGeneration; // nothing running to kill
        var restartAsked = slot.Spec.RestartGeneration > slot.RestartSeen;
        if (!slot.WantsRunning || _drain.Draining)
        {
            if (restartAsked)
                slot.RestartSeen = slot.Spec.RestartGeneration;
            if (slot.State is not AgentStates.Stopped and not AgentStates.Exited || restartAsked)
                Record(slot, slot.State is AgentStates.Exited && !restartAsked ? AgentStates.Exited : AgentStates.Stopped,
                    _drain.Draining && slot.WantsRunning ? "the node is draining" : "");
            return;
        }

        if (slot.State == AgentStates.Exited && !restartAsked)
            return; // restart policy said no; an operator's start or restart asks again
        if (slot.State is AgentStates.Backoff or AgentStates.CrashLoop && !restartAsked && slot.NextStartAt > now)
            return;
        if (_live >= _options.MaxAgents)
        {
            if (slot.State != AgentStates.Waiting)
                Record(slot, AgentStates.Waiting, $"node full: max_agents = {_options.MaxAgents}");
            return;
        }

        if (restartAsked)
        {
            slot.RestartSeen = slot.Spec.RestartGeneration;
            slot.Restarts = 0;
            slot.ConsecutiveFailures = 0;
            slot.Backoff.Reset();
        }

        await StartAsync(slot, now, cancellationToken);
    }

    private async Task StartAsync(AgentSlot slot, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string? workDir = null;
        IReadOnlyList<string>? preamble = null;
        if (WorktreeManager.Uses(slot.Spec))
        {
            // Made once per agent, off the loop (git and a setup command take their time); every start checks it again.
            slot.Preparing ??= _worktrees.PrepareAsync(slot.Spec, cancellationToken);
            if (!slot.Preparing.IsCompleted)
            {
                if (slot.State != AgentStates.Preparing)
                    Record(slot, AgentStates.Preparing, "preparing the worktree");
                return;
            }

            var prepared = await slot.Preparing;
            slot.Preparing = null;
            slot.Worktree = prepared.Worktree ?? slot.Worktree;
            if (prepared.Error is not null)
            {
                StartFailed(slot, now, prepared.Error, prepared.Lines);
                return;
            }

            workDir = prepared.WorkDir;
            preamble = prepared.Lines;
        }

        var started = await _starter.StartAsync(slot.Spec, _cgroups, cancellationToken, workDir, preamble);
        if (started.Run is { } run)
        {
            run.TokenWrittenAt = now;
            slot.Run = run;
            _live++;
            slot.NextStartAt = null;
            _store.SaveRun(run.Record, active: true);
            AgentLog.RunStarted(_logger, slot.AgentId, run.Record.RunId, run.Record.Pid);
            _metrics.Started();
            Record(slot, AgentStates.Running, started.Warning ?? "");
            return;
        }

        StartFailed(slot, now, started.Error ?? "", []);
    }

    /// <summary>Nothing was started: an exit record of its own, and the restart policy decides as for a crash.</summary>
    private void StartFailed(AgentSlot slot, DateTimeOffset now, string error, IReadOnlyList<string> lines)
    {
        var failed = new AgentRun
        {
            RunId = RunStarter.NewRunId(now),
            AgentId = slot.AgentId,
            StartedAt = Timestamp.FromDateTimeOffset(now),
            EndedAt = Timestamp.FromDateTimeOffset(now),
            SpecRevision = slot.Spec.Revision,
            Exit = new AgentExit { Reason = ExitReasons.StartFailed, Error = error, LastLines = { lines } },
        };
        AgentLog.StartFailed(_logger, slot.AgentId, error);
        _metrics.Ended(ExitReasons.StartFailed, 0, 0);
        AfterEnd(slot, failed, now, failure: true, natural: true);
    }

    /// <summary>A removed agent's worktree, once its preparation (if any) is over: removed when nothing would be lost, else kept.</summary>
    private async Task ReleaseWorktreeAsync(string agentId, Task<PrepareResult>? preparing)
    {
        try
        {
            if (preparing is not null)
                await preparing;
            await _worktrees.ReleaseAsync(agentId, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            AgentLog.WorktreeReleaseFailed(_logger, agentId, ex.Message);
        }
    }

    /// <summary>A live run: stop, kill or restart it when its spec says so; SIGKILL once a stop's grace is over.</summary>
    private void Steer(AgentSlot slot, ActiveRun run, DateTimeOffset now)
    {
        if (slot.Spec.KillGeneration > slot.KillSeen)
        {
            slot.KillSeen = slot.Spec.KillGeneration;
            run.EndingBecause = ExitReasons.Killed;
            KillNow(run);
            Record(slot, AgentStates.Stopping, "killed");
            return;
        }

        if (run.EndingBecause is null)
        {
            string? reason = null;
            if (slot.Removed || !slot.WantsRunning || _drain.Draining)
                reason = ExitReasons.Stopped;
            else if (slot.Spec.RestartGeneration > slot.RestartSeen)
                reason = "restart";
            if (reason is not null)
            {
                BeginStop(slot, run, reason, now);
                return;
            }
        }

        if (run.KillAt is { } killAt && now >= killAt && !run.SentKill)
        {
            AgentLog.GraceOver(_logger, slot.AgentId, run.Record.RunId);
            KillNow(run);
        }
    }

    private void BeginStop(AgentSlot slot, ActiveRun run, string reason, DateTimeOffset now)
    {
        run.EndingBecause = reason;
        var grace = slot.Spec.StopGrace?.ToTimeSpan() ?? TimeSpan.FromSeconds(10);
        run.KillAt = now + grace;
        LibC.Signal(run.Holder.Pid, LibC.SIGTERM);
        Record(slot, AgentStates.Stopping, reason == "restart" ? "restarting" : "");
    }

    /// <summary>SIGKILL to everything of the run: its cgroup (also a process that called setsid), its session's group, and any straggler in its session.</summary>
    private static void KillNow(ActiveRun run)
    {
        run.SentKill = true;
        run.Cgroup?.KillAll();
        // The session id is the holder's pid: trusted while the holder lives or was our child just now (a pid is
        // not reused that fast); an adopted holder long gone may have left its pid to another session.
        if (!run.Holder.IsAlive() && run.Child is null)
            return;
        LibC.Signal(-run.Holder.Pid, LibC.SIGKILL);
        foreach (var pid in ProcessIdentity.InSession(run.Holder.Pid))
            LibC.Signal(pid, LibC.SIGKILL);
        // A tty run's command leads a session of its own (its terminal's), apart from the holder's.
        if (run.Record.Tty && run.Record.Pid > 0)
        {
            foreach (var pid in ProcessIdentity.InSession(run.Record.Pid))
                LibC.Signal(pid, LibC.SIGKILL);
        }
    }

    private void Finish(AgentSlot slot, ActiveRun run, DateTimeOffset now)
    {
        run.Child?.WaitForExit();
        // The command may be gone while something it started lives on: the run ends with all of it.
        var sentKill = run.SentKill;
        KillNow(run);
        run.SentKill = sentKill;
        run.Child?.Dispose();
        var exit = RunEnd.Classify(run, run.Folder.ExitStatus(), run.Holder.BootId == ProcessIdentity.BootIdNow);
        exit.LastLines.AddRange(run.Folder.LastLines(10));
        var record = run.Record.Clone();
        record.EndedAt = Timestamp.FromDateTimeOffset(now);
        record.Exit = exit;
        record.StdoutBytes = run.Folder.Size(RunFolder.StdoutFile);
        record.StderrBytes = run.Folder.Size(RunFolder.StderrFile);
        _store.SaveRun(record, active: false);
        run.Cgroup?.Remove();
        slot.Run = null;
        _live--;
        AgentLog.RunEnded(_logger, slot.AgentId, record.RunId, exit.Reason, exit.HasCode ? exit.Code : -1, exit.Signal);
        _metrics.Ended(exit.Reason, record.StdoutBytes, record.StderrBytes);
        if (run.EndingBecause == "restart")
        {
            slot.RestartSeen = slot.Spec.RestartGeneration;
            slot.LastRun = record;
            slot.State = AgentStates.Stopped;
            slot.Restarts = 0;
            slot.ConsecutiveFailures = 0;
            slot.Backoff.Reset();
            return; // StepAsync starts the next run at once
        }

        // Ended by itself, or by the node for writing too much: the restart policy decides what comes next.
        var natural = run.EndingBecause is null or ExitReasons.OutputLimit;
        var failure = exit.Reason is ExitReasons.Crashed or ExitReasons.Oom or ExitReasons.NodeLost or ExitReasons.OutputLimit
            || (exit.Reason == ExitReasons.Exited && exit.Code != 0);
        if (natural && now - record.StartedAt.ToDateTimeOffset() >= HealthyRun)
        {
            slot.Backoff.Reset();
            slot.ConsecutiveFailures = 0;
        }

        AfterEnd(slot, record, now, failure, natural);
    }

    /// <summary>After a run ended (or could not start): the restart policy's decision, recorded.</summary>
    private void AfterEnd(AgentSlot slot, AgentRun ended, DateTimeOffset now, bool failure, bool natural)
    {
        slot.LastRun = ended;
        if (!natural || !slot.WantsRunning || _drain.Draining)
        {
            Record(slot, AgentStates.Stopped, _drain.Draining && slot.WantsRunning ? "the node is draining" : "");
            return;
        }

        var policy = slot.Spec.RestartPolicy;
        var restart = policy == AgentRestartPolicy.Always
            || (failure && policy is AgentRestartPolicy.OnFailure or AgentRestartPolicy.Unspecified);
        if (!restart)
        {
            Record(slot, AgentStates.Exited, "");
            return;
        }

        slot.ConsecutiveFailures = failure ? slot.ConsecutiveFailures + 1 : 0;
        slot.Restarts++;
        var delay = failure ? slot.Backoff.Next() : TimeSpan.FromSeconds(1);
        slot.NextStartAt = now + delay;
        var loop = slot.ConsecutiveFailures >= CrashLoopAfter;
        Record(slot, loop ? AgentStates.CrashLoop : AgentStates.Backoff,
            $"{(loop ? $"crash loop: {slot.ConsecutiveFailures} failures in a row; " : "")}restarting in {delay.TotalSeconds:0.#}s");
    }

    private void Record(AgentSlot slot, string state, string message)
    {
        slot.State = state;
        slot.Message = message;
        var status = new AgentStatus
        {
            AgentId = slot.AgentId,
            State = state,
            Message = message,
            Run = slot.Run?.Record ?? slot.LastRun,
            Restarts = slot.Restarts,
            ConsecutiveFailures = slot.ConsecutiveFailures,
            NextStartAt = slot.NextStartAt is { } next && state is AgentStates.Backoff or AgentStates.CrashLoop ? Timestamp.FromDateTimeOffset(next) : null,
            SpecRevision = slot.Spec.Revision,
            At = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
            LimitsEnforced = _cgroups.CanLimit,
            Worktree = slot.Worktree,
        };
        _store.Record(status, slot.RestartSeen, slot.KillSeen);
        _events.Notify();
    }

    private void PublishInventory()
    {
        var live = _slots.Values.Where(s => s.Run is not null).ToDictionary(s => s.AgentId, s => s.Run!, StringComparer.Ordinal);
        _liveRuns = live;
        _inventory = [.. live.Select(pair => new RunningAgent
        {
            ActorId = pair.Key,
            Pid = pair.Value.Record.Pid,
            StartedAt = pair.Value.Record.StartedAt,
            RunId = pair.Value.Record.RunId,
            SpecRevision = pair.Value.Record.SpecRevision,
        })];
    }
}
