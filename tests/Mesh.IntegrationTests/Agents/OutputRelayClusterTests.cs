using System.Net;
using Mesh.Hub.Tests.Support;
using static Mesh.IntegrationTests.Agents.AgentCluster;

namespace Mesh.IntegrationTests.Agents;

/// <summary>Output from node to hub to reader by position: no gap, no repeat, across hub restarts and a node's kill -9.</summary>
public sealed class OutputRelayClusterTests(AgentCluster cluster) : IClassFixture<AgentCluster>
{
    private const int Lines = 1500;

    [Fact]
    public async Task Numbered_lines_arrive_exactly_once_in_order_through_hub_restarts_and_a_node_kill_9()
    {
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            $$"""{"id":"counter-1","placement":"n1","restart_policy":"never","command":["sh","-c","i=1; while [ $i -le {{Lines}} ]; do echo $i; i=$((i+1)); sleep 0.01; done"]}""");
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        await cluster.WaitForAgentAsync("counter-1", s => State(s) == "running");
        await using var follower = MeshProcess.Start(["agents", "logs", "counter-1", "-f", "--hub", cluster.Admin.BaseAddress!.ToString(), "--token", ApiToken]);

        await Task.Delay(2500);
        await RestartHubAsync();
        await Task.Delay(2500);
        await cluster.Node("n1").KillHardAsync();
        await Task.Delay(1500);
        await cluster.StartNodeAsync("n1");
        await Task.Delay(2000);
        await RestartHubAsync();

        var exited = await cluster.WaitForAgentAsync("counter-1", s => State(s) == "exited", TimeSpan.FromSeconds(90));
        var runId = exited.GetProperty("status").GetProperty("run").GetProperty("run_id").GetString();
        string stored = "";
        await WaitUntilAsync(async () =>
        {
            using var response = await cluster.Admin.GetAsync($"/api/admin/agents/counter-1/runs/{runId}/output?stream=stdout&limit=16777216");
            stored = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode && response.Headers.GetValues("Mesh-Output-Complete").Single() == "true";
        }, "the whole output on the hub", TimeSpan.FromSeconds(60));
        AssertExactlyOnce(stored);

        Assert.Equal(0, await follower.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        AssertExactlyOnce(follower.StandardOutput + "\n");
    }

    private async Task RestartHubAsync()
    {
        cluster.Hub.Terminate();
        Assert.Equal(0, await cluster.Hub.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await cluster.Hub.DisposeAsync();
        await Task.Delay(1000);
        await cluster.StartHubAsync();
    }

    private static void AssertExactlyOnce(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(1, Lines).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), lines);
    }
}
