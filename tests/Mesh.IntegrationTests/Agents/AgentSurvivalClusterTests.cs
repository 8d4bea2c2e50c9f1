using System.Net;
using static Mesh.IntegrationTests.Agents.AgentCluster;

namespace Mesh.IntegrationTests.Agents;

/// <summary>What agents survive: their node's kill -9 and restart, and the hub being away.</summary>
public sealed class AgentSurvivalClusterTests(AgentCluster cluster) : IClassFixture<AgentCluster>
{
    [Fact]
    public async Task Kill_9_of_the_node_leaves_the_agent_running_the_restarted_node_re_adopts_it_and_its_exit_code_arrives()
    {
        var flag = Path.Combine(cluster.NodeDataDir("n1"), "finish-survivor");
        var (status, _) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            $$"""{"id":"survivor-1","placement":"n1","restart_policy":"never","command":["sh","-c","while [ ! -f {{flag}} ]; do sleep 0.1; done; exit 9"]}""");
        Assert.Equal(HttpStatusCode.Created, status);
        var running = await cluster.WaitForAgentAsync("survivor-1", s => State(s) == "running");
        var run = running.GetProperty("status").GetProperty("run");
        var pid = run.GetProperty("pid").GetInt32();
        var runId = run.GetProperty("run_id").GetString();

        await cluster.Node("n1").KillHardAsync();
        await Task.Delay(1000);
        Assert.True(Alive(pid), "the agent died with its node");
        var away = await cluster.AgentAsync("survivor-1");
        Assert.Equal("pending: node offline", State(away.GetProperty("status")));
        Assert.Equal("running", away.GetProperty("status").GetProperty("reported_state").GetString());

        await cluster.StartNodeAsync("n1");
        var back = await cluster.WaitForAgentAsync("survivor-1", s => State(s) == "running");
        Assert.Equal(runId, back.GetProperty("status").GetProperty("run").GetProperty("run_id").GetString());
        Assert.True(Alive(pid));

        File.WriteAllText(flag, "");
        var exited = await cluster.WaitForAgentAsync("survivor-1", s => State(s) == "exited");
        var exit = exited.GetProperty("status").GetProperty("run").GetProperty("exit");
        Assert.Equal(9, exit.GetProperty("code").GetInt32());
        Assert.Equal(runId, exited.GetProperty("status").GetProperty("run").GetProperty("run_id").GetString());
        // One run, never reported stopped.
        var (_, runs) = await cluster.SendAsync(HttpMethod.Get, "/api/admin/agents/survivor-1/runs");
        var only = Assert.Single(runs.GetProperty("runs").EnumerateArray());
        Assert.Equal("exited", only.GetProperty("exit").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task While_the_hub_is_away_agents_keep_running_a_crash_is_restarted_locally_and_reported_in_order_after()
    {
        var flag = Path.Combine(cluster.NodeDataDir("n2"), "crash-now");
        await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            $$"""{"id":"resilient-1","placement":"n2","restart_policy":"on-failure","command":["sh","-c","while :; do if [ -f {{flag}} ]; then rm {{flag}}; exit 4; fi; sleep 0.1; done"]}""");
        var first = await cluster.WaitForAgentAsync("resilient-1", s => State(s) == "running");
        var firstRun = first.GetProperty("status").GetProperty("run").GetProperty("run_id").GetString()!;

        cluster.Hub.Terminate();
        Assert.Equal(0, await cluster.Hub.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        File.WriteAllText(flag, "");
        // The node restarts it on its own: a second run folder appears and its process runs.
        var runs = Path.Combine(cluster.NodeDataDir("n2"), "runs");
        await WaitUntilAsync(() => Task.FromResult(!File.Exists(flag) && Directory.GetDirectories(runs).Length >= 2), "a local restart", TimeSpan.FromSeconds(20));
        await Task.Delay(3000);

        await cluster.StartHubAsync();
        var after = await cluster.WaitForAgentAsync("resilient-1", s => State(s) == "running" && s.GetProperty("run").GetProperty("run_id").GetString() != firstRun, TimeSpan.FromSeconds(60));
        Assert.Equal(1, after.GetProperty("status").GetProperty("restarts").GetInt32());
        var (_, history) = await cluster.SendAsync(HttpMethod.Get, "/api/admin/agents/resilient-1/runs");
        var list = history.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(2, list.Count);
        Assert.Equal(firstRun, list[1].GetProperty("run_id").GetString()); // newest first
        Assert.Equal(4, list[1].GetProperty("exit").GetProperty("code").GetInt32());
        Assert.Equal("exited", list[1].GetProperty("exit").GetProperty("reason").GetString());
        await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/resilient-1/stop");
    }
}
