using System.Security.Cryptography;
using Mesh.Core.Auth;
using Mesh.Core.Protocol;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;
using Mesh.Node.Agents;
using Mesh.Node.Agents.Processes;
using Mesh.Node.Agents.State;
using Mesh.Node.Agents.Worktrees;
using Mesh.Node.Connection;
using Mesh.Node.Hosting;
using Mesh.Node.Identity;
using Mesh.Node.Session;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Node.Tests.Agents;

/// <summary>
/// A node's agent runtime on its own (no hub): the real supervisor, store, holders, cgroups and child processes in a
/// temp data_dir. <see cref="RestartAsync"/> stands for a node process restart: a new supervisor over the same files.
/// At the end every run it started is killed, whatever the test did.
/// </summary>
public sealed class AgentRuntime : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly NodeSigningKey _key = new("n.test.n1", RandomNumberGenerator.GetBytes(32));
    private readonly HashSet<int> _holders = [];
    private readonly RepoLocks _locks = new();
    private readonly TestMeterFactory _meters = new();
    private AgentStore _store;
    private WorktreeStore _worktreeStore = null!;
    private AgentSupervisor _supervisor;
    private CancellationTokenSource _stop = new();
    private Task _loop;

    public AgentRuntime(int maxAgents = 100, long outputLimitPerRun = 64L << 20, TimeSpan? tokenLifetime = null, IReadOnlyList<string>? safePaths = null,
        string? worktreeRoot = null, long? worktreeQuota = null)
    {
        Options = new AgentRuntimeOptions("n1", _dir.Path, maxAgents, outputLimitPerRun, 1L << 30, tokenLifetime ?? TimeSpan.FromHours(1),
            safePaths ?? [_dir.Path], worktreeRoot, null, "mesh", "mesh-internal") { WorktreeQuota = worktreeQuota };
        Cgroups = RunCgroups.Probe();
        (_store, _supervisor, _loop) = Start();
    }

    public string DataDir => _dir.Path;

    internal AgentRuntimeOptions Options { get; }

    internal RunCgroups Cgroups { get; }

    internal AgentStore Store => _store;

    internal AgentSupervisor Supervisor => _supervisor;

    internal WorktreeManager Worktrees { get; private set; } = null!;

    internal WorktreeDiskUsage Usage { get; private set; } = null!;

    /// <summary>The node's answers to the hub's worktree commands.</summary>
    internal WorktreeCommandHandler WorktreeCommands => new(Worktrees, new WorktreeInspector(Worktrees));

    public NodeDrainState Drain { get; } = new();

    public string Write(string name, string content) => _dir.Write(name, content);

    internal void Apply(params AgentSpec[] specs)
    {
        _store.ReplaceSpecs(specs);
        _supervisor.Apply(specs);
    }

    /// <summary>Waits until the agent's saved status satisfies <paramref name="condition"/>; returns it.</summary>
    internal async Task<AgentStatus> WaitForAsync(string agentId, Func<AgentStatus, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        AgentStatus? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = _store.Agents().FirstOrDefault(a => a.AgentId == agentId)?.Status;
            if (last is not null)
            {
                if (last.Run is { HolderPid: > 0 } run)
                    _holders.Add(run.HolderPid);
                if (last.Run is { Tty: true, Pid: > 0 } tty)
                    _holders.Add(tty.Pid); // a tty run's command leads a session of its own
                if (condition(last))
                    return last;
            }

            if (_loop.IsFaulted)
                await _loop;
            await Task.Delay(50);
        }

        throw new TimeoutException($"agent {agentId}: the condition did not hold; last status: {last}");
    }

    /// <summary>Every status event the runtime recorded for the agent, in order.</summary>
    internal IReadOnlyList<AgentStatus> Events(string agentId) =>
        [.. _store.Events(0, 100_000).Select(e => e.Status).Where(s => s.AgentId == agentId)];

    /// <summary>Stops the supervisor as a node shutdown would (runs keep going) and starts a new one over the same data_dir.</summary>
    public async Task RestartAsync()
    {
        await StopLoopAsync();
        _store.Dispose();
        _worktreeStore.Dispose();
        (_store, _supervisor, _loop) = Start();
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopAsync();
        var cgroups = new List<RunCgroup>();
        foreach (var run in _store.ActiveRuns())
        {
            _holders.Add(run.HolderPid);
            if (run is { Tty: true, Pid: > 0 })
                _holders.Add(run.Pid);
            if (RunCgroup.Parse(run.Cgroup) is { } cgroup)
                cgroups.Add(cgroup);
        }

        foreach (var cgroup in cgroups)
            cgroup.KillAll();
        foreach (var pid in _holders)
        {
            foreach (var member in ProcessIdentity.InSession(pid))
                LibC.Signal(member, LibC.SIGKILL);
        }

        _store.Dispose();
        _worktreeStore.Dispose();
        await Task.Delay(100);
        foreach (var cgroup in cgroups)
            cgroup.Remove();
        _dir.Dispose();
        _meters.Dispose();
    }

    private (AgentStore, AgentSupervisor, Task) Start()
    {
        var store = new AgentStore(_dir.Path);
        var hub = new CurrentHubConnection();
        hub.SetSigningKey(_key);
        var tokens = new ActorTokenFiles(Options, hub, new NodeIdentityFiles(Path.Combine(_dir.Path, "certs")), TimeProvider.System);
        var starter = new RunStarter(Options, tokens, new NodeListeners(), TimeProvider.System, NullLogger<RunStarter>.Instance);
        _worktreeStore = new WorktreeStore(_dir.Path);
        Usage = new WorktreeDiskUsage(_worktreeStore, Options, TimeProvider.System);
        Worktrees = new WorktreeManager(Options, _worktreeStore, _locks, Usage, NullLogger<WorktreeManager>.Instance);
        var supervisor = new AgentSupervisor(store, Options, Cgroups, starter, Drain, new AgentEventSignal(), tokens, Worktrees, TimeProvider.System, new AgentRunMetrics(_meters), NullLogger<AgentSupervisor>.Instance);
        _stop = new CancellationTokenSource();
        return (store, supervisor, Task.Run(() => supervisor.RunAsync(_stop.Token)));
    }

    private async Task StopLoopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal ICallTokenKeys SigningKeys => _key;

    internal static AgentSpec Spec(string id, params string[] command) => new()
    {
        AgentId = id,
        Revision = 1,
        Command = { command },
        DesiredState = AgentDesiredState.Running,
        RestartPolicy = AgentRestartPolicy.Never,
        StopGrace = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
    };

    /// <summary>True while a process with this pid lives (and is no zombie).</summary>
    internal static bool Alive(int pid) => ProcessIdentity.Of(pid) is not null;
}
