using System.Net;
using Mesh.Hub.Tests.Metrics;
using static Mesh.IntegrationTests.Agents.AgentCluster;

namespace Mesh.IntegrationTests.Agents;

/// <summary>
/// A node process's own /metrics move with its runs: a cluster of its own (so every count is exact), agents created
/// over REST, the node's counters read over HTTP from the node.
/// </summary>
public sealed class NodeMetricsClusterTests(AgentCluster cluster) : IClassFixture<AgentCluster>
{
    [Fact]
    public async Task Runs_that_exit_and_fail_to_start_move_the_nodes_start_exit_and_output_counters()
    {
        Directory.CreateDirectory(cluster.WorktreeRoot);
        var before = new PrometheusText(await cluster.ScrapeNodeAsync("n1"));
        Assert.Equal(1, before.Sum("mesh_node_session_attached"));
        Assert.Equal(0, before.Sum("mesh_node_agent_starts_total"));

        var (status, _) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            """{"id":"metered-1","placement":"n1","command":["sh","-c","printf 0123456789; printf abc >&2; exit 3"],"restart_policy":"never"}""");
        Assert.Equal(HttpStatusCode.Created, status);
        await cluster.WaitForAgentAsync("metered-1", s => State(s) == "exited");
        (status, _) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            """{"id":"metered-2","placement":"n1","command":["/nonexistent/agent"],"restart_policy":"never"}""");
        Assert.Equal(HttpStatusCode.Created, status);
        await cluster.WaitForAgentAsync("metered-2", s => State(s) == "exited");

        var after = new PrometheusText(await cluster.ScrapeNodeAsync("n1"));
        Assert.Equal(1, after.Sum("mesh_node_agent_starts_total"));
        Assert.Equal(1, after.Sum("mesh_node_agent_exits_total", "reason=exited"));
        Assert.Equal(1, after.Sum("mesh_node_agent_exits_total", "reason=start_failed"));
        Assert.Equal(2, after.Sum("mesh_node_agent_exits_total"));
        Assert.Equal(10, after.Sum("mesh_node_run_output_bytes_total", "stream=stdout"));
        Assert.Equal(3, after.Sum("mesh_node_run_output_bytes_total", "stream=stderr"));
        Assert.True(after.Sum("mesh_node_disk_free_bytes", "path=data_dir") > 0, after.Text);
        Assert.True(after.Sum("mesh_node_disk_used_bytes", "path=worktrees") > 0, after.Text);
        Assert.True(after.Has("mesh_node_outbox_messages", "state=pending"), after.Text);

        // The other node ran nothing.
        var n2 = new PrometheusText(await cluster.ScrapeNodeAsync("n2"));
        Assert.Equal(0, n2.Sum("mesh_node_agent_exits_total"));
    }
}
