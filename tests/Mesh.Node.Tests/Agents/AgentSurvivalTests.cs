using Mesh.Core.Protocol;
using static Mesh.Node.Tests.Agents.AgentRuntime;

namespace Mesh.Node.Tests.Agents;

/// <summary>Runs outlive the node's supervisor: a new one re-adopts them and still learns how they end.</summary>
public sealed class AgentSurvivalTests
{
    [Fact]
    public async Task A_restarted_node_re_adopts_a_running_agent_and_gets_its_exit_code()
    {
        await using var node = new AgentRuntime();
        var flag = Path.Combine(node.DataDir, "finish");
        node.Apply(Spec("survivor", "sh", "-c", $"echo started; while [ ! -f {flag} ]; do sleep 0.1; done; echo finishing; exit 7"));
        var before = await node.WaitForAsync("survivor", s => s.State == "running");

        await node.RestartAsync();
        await Task.Delay(600); // a few of the new supervisor's ticks
        Assert.True(Alive(before.Run.Pid));
        var still = node.Store.Agents().Single(a => a.AgentId == "survivor").Status;
        Assert.Equal("running", still.State);
        Assert.Equal(before.Run.RunId, node.Supervisor.Inventory.Single().RunId);

        File.WriteAllText(flag, "");
        var exited = await node.WaitForAsync("survivor", s => s.State == "exited");
        Assert.Equal(before.Run.RunId, exited.Run.RunId);
        Assert.Equal("exited", exited.Run.Exit.Reason);
        Assert.Equal(7, exited.Run.Exit.Code);
        Assert.Equal(["started", "finishing"], exited.Run.Exit.LastLines);
        // Nothing reported the run stopped while the node was away, and it was started once.
        Assert.DoesNotContain(node.Events("survivor"), e => e.State is "stopped" or "stopping");
        Assert.Single(node.Events("survivor"), e => e.State == "running");
    }

    [Fact]
    public async Task A_run_that_ended_while_the_node_was_down_is_reported_with_its_code_and_restarted_per_policy()
    {
        await using var node = new AgentRuntime();
        var flag = Path.Combine(node.DataDir, "finish");
        var spec = Spec("brief", "sh", "-c", $"while [ ! -f {flag} ]; do sleep 0.1; done; exit 4");
        spec.RestartPolicy = AgentRestartPolicy.OnFailure;
        node.Apply(spec);
        var first = await node.WaitForAsync("brief", s => s.State == "running");
        await node.RestartAsync();
        File.WriteAllText(flag, "");
        // The new supervisor finds the exit file, reports code 4 and restarts per on-failure.
        var after = await node.WaitForAsync("brief", s => s.Run.RunId != first.Run.RunId && s.Run.Exit?.Code == 4, TimeSpan.FromSeconds(20));
        var ended = node.Events("brief").First(e => e.Run?.RunId == first.Run.RunId && e.Run.Exit is not null);
        Assert.Equal(4, ended.Run.Exit.Code);
        Assert.Equal("backoff", ended.State);
        Assert.NotNull(after);
    }

    [Fact]
    public async Task Status_events_are_durable_and_in_order_until_acknowledged()
    {
        await using var node = new AgentRuntime();
        node.Apply(Spec("e1", "true"));
        await node.WaitForAsync("e1", s => s.State == "exited");
        await node.RestartAsync();
        var events = node.Store.Events(0, 100);
        Assert.Equal(["running", "exited"], events.Select(e => e.Status.State));
        Assert.True(events[1].Sequence > events[0].Sequence);
        node.Store.Acknowledge(events[0].Sequence);
        Assert.Equal([events[1].Sequence], node.Store.Events(0, 100).Select(e => e.Sequence));
    }
}
