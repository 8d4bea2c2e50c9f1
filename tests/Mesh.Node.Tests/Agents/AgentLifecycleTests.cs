using Mesh.Core.Protocol;
using Mesh.Node.Agents.Processes;
using static Mesh.Node.Tests.Agents.AgentRuntime;

namespace Mesh.Node.Tests.Agents;

/// <summary>Start, stop, kill and exit of real processes under the node's supervisor.</summary>
public sealed class AgentLifecycleTests
{
    [Fact]
    public async Task Start_runs_the_command_and_stop_ends_it_with_sigterm_leaving_no_process()
    {
        await using var node = new AgentRuntime();
        var spec = Spec("a1", "sh", "-c", "echo hello; exec sleep 1000");
        node.Apply(spec);
        var running = await node.WaitForAsync("a1", s => s.State == "running");
        Assert.True(running.Run.Pid > 0);
        Assert.True(Alive(running.Run.Pid));
        var session = running.Run.HolderPid;

        spec.DesiredState = AgentDesiredState.Stopped;
        spec.Revision = 2;
        node.Apply(spec);
        var stopped = await node.WaitForAsync("a1", s => s.State == "stopped" && s.Run.Exit is not null);
        Assert.Equal("stopped", stopped.Run.Exit.Reason);
        Assert.Equal(15, stopped.Run.Exit.Signal);
        Assert.Contains("hello", stopped.Run.Exit.LastLines);
        Assert.False(Alive(running.Run.Pid));
        Assert.Empty(ProcessIdentity.InSession(session));
        Assert.Equal(["running", "stopping", "stopped"], node.Events("a1").Select(e => e.State));
    }

    [Fact]
    public async Task A_command_that_ignores_sigterm_is_killed_after_the_grace()
    {
        await using var node = new AgentRuntime();
        var spec = Spec("stubborn", "sh", "-c", "trap '' TERM; while :; do sleep 0.2; done");
        spec.StopGrace = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(1));
        node.Apply(spec);
        var running = await node.WaitForAsync("stubborn", s => s.State == "running");

        spec.DesiredState = AgentDesiredState.Stopped;
        node.Apply(spec);
        var started = DateTime.UtcNow;
        var stopped = await node.WaitForAsync("stubborn", s => s.State == "stopped" && s.Run.Exit is not null);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(0.9), "SIGKILL came before the grace was over");
        Assert.Equal("stopped", stopped.Run.Exit.Reason);
        Assert.Equal(9, stopped.Run.Exit.Signal);
        Assert.Empty(ProcessIdentity.InSession(running.Run.HolderPid));
    }

    [Fact]
    public async Task Kill_sends_sigkill_at_once()
    {
        await using var node = new AgentRuntime();
        var spec = Spec("k1", "sh", "-c", "trap '' TERM; exec sleep 1000");
        node.Apply(spec);
        var running = await node.WaitForAsync("k1", s => s.State == "running");
        spec.KillGeneration = 1;
        spec.DesiredState = AgentDesiredState.Stopped;
        node.Apply(spec);
        var killed = await node.WaitForAsync("k1", s => s.Run.Exit is not null, TimeSpan.FromSeconds(3));
        Assert.Equal("killed", killed.Run.Exit.Reason);
        Assert.Equal(9, killed.Run.Exit.Signal);
        Assert.False(Alive(running.Run.Pid));
    }

    [Fact]
    public async Task Never_leaves_the_agent_exited_with_its_exit_code_and_last_lines()
    {
        await using var node = new AgentRuntime();
        node.Apply(Spec("once", "sh", "-c", "echo one; echo two >&2; exit 7"));
        var exited = await node.WaitForAsync("once", s => s.State == "exited");
        Assert.Equal("exited", exited.Run.Exit.Reason);
        Assert.True(exited.Run.Exit.HasCode);
        Assert.Equal(7, exited.Run.Exit.Code);
        Assert.Equal(["one", "stderr: two"], exited.Run.Exit.LastLines);
        Assert.Equal(0u, exited.Restarts);
    }

    [Fact]
    public async Task A_crash_by_signal_is_crashed_with_the_signal()
    {
        await using var node = new AgentRuntime();
        node.Apply(Spec("segv", "sh", "-c", "kill -SEGV $$"));
        var exited = await node.WaitForAsync("segv", s => s.State == "exited");
        Assert.Equal("crashed", exited.Run.Exit.Reason);
        Assert.Equal(11, exited.Run.Exit.Signal);
        Assert.False(exited.Run.Exit.HasCode);
    }

    [Fact]
    public async Task On_failure_restarts_with_growing_backoff_then_shows_a_crash_loop()
    {
        await using var node = new AgentRuntime();
        var spec = Spec("flaky", "sh", "-c", "exit 3");
        spec.RestartPolicy = AgentRestartPolicy.OnFailure;
        node.Apply(spec);
        var loop = await node.WaitForAsync("flaky", s => s.State == "crash_loop", TimeSpan.FromSeconds(20));
        Assert.Equal(3u, loop.ConsecutiveFailures);
        Assert.Equal(3, loop.Run.Exit.Code);
        Assert.Contains("crash loop", loop.Message);

        // The waits between runs grow: each start comes later after the previous end than the one before.
        var events = node.Events("flaky");
        var waits = events.Where(e => e.State is "backoff" or "crash_loop")
            .Select(e => e.NextStartAt.ToDateTimeOffset() - e.At.ToDateTimeOffset()).ToList();
        Assert.True(waits.Count >= 3);
        Assert.True(waits[2] > waits[0], $"backoff did not grow: {string.Join(", ", waits)}");
    }

    [Fact]
    public async Task On_failure_does_not_restart_a_clean_exit_and_always_does()
    {
        await using var node = new AgentRuntime();
        var clean = Spec("clean", "true");
        clean.RestartPolicy = AgentRestartPolicy.OnFailure;
        var always = Spec("always", "true");
        always.RestartPolicy = AgentRestartPolicy.Always;
        node.Apply(clean, always);
        await node.WaitForAsync("clean", s => s.State == "exited");
        var restarted = await node.WaitForAsync("always", s => s.Restarts >= 2);
        Assert.Equal(0u, restarted.ConsecutiveFailures);
    }

    [Fact]
    public async Task Restart_generation_restarts_a_running_agent_and_start_again_runs_an_exited_one()
    {
        await using var node = new AgentRuntime();
        var spec = Spec("r1", "sleep", "1000");
        node.Apply(spec);
        var first = await node.WaitForAsync("r1", s => s.State == "running");
        spec.RestartGeneration = 1;
        node.Apply(spec);
        var second = await node.WaitForAsync("r1", s => s.State == "running" && s.Run.RunId != first.Run.RunId);
        Assert.False(Alive(first.Run.Pid));
        Assert.True(Alive(second.Run.Pid));

        var once = Spec("once", "true");
        node.Apply(spec, once);
        var exited = await node.WaitForAsync("once", s => s.State == "exited");
        once.RestartGeneration = 1;
        node.Apply(spec, once);
        await node.WaitForAsync("once", s => s.State == "exited" && s.Run.RunId != exited.Run.RunId);
    }

    [Fact]
    public async Task An_agent_no_longer_placed_here_is_stopped_and_forgotten()
    {
        await using var node = new AgentRuntime();
        node.Apply(Spec("gone", "sleep", "1000"));
        var running = await node.WaitForAsync("gone", s => s.State == "running");
        node.Apply();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (node.Store.Agents().Any(a => a.AgentId == "gone") && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.DoesNotContain(node.Store.Agents(), a => a.AgentId == "gone");
        Assert.False(Alive(running.Run.Pid));
    }

    [Fact]
    public async Task Drain_stops_runs_and_lifting_it_starts_them_again()
    {
        await using var node = new AgentRuntime();
        node.Apply(Spec("d1", "sleep", "1000"));
        var first = await node.WaitForAsync("d1", s => s.State == "running");
        node.Drain.Set(true);
        var stopped = await node.WaitForAsync("d1", s => s.State == "stopped");
        Assert.Equal("the node is draining", stopped.Message);
        Assert.False(Alive(first.Run.Pid));
        node.Drain.Set(false);
        await node.WaitForAsync("d1", s => s.State == "running" && s.Run.RunId != first.Run.RunId);
    }

    [Fact]
    public async Task A_full_node_makes_further_agents_wait()
    {
        await using var node = new AgentRuntime(maxAgents: 1);
        node.Apply(Spec("first", "sleep", "1000"), Spec("second", "sleep", "1000"));
        await node.WaitForAsync("first", s => s.State == "running");
        var waiting = await node.WaitForAsync("second", s => s.State == "waiting");
        Assert.Equal("node full: max_agents = 1", waiting.Message);
    }
}
