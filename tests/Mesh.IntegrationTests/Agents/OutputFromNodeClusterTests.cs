using System.Net;
using System.Text;
using static Mesh.IntegrationTests.Agents.AgentCluster;

namespace Mesh.IntegrationTests.Agents;

/// <summary>Output older than the hub keeps comes from the node on demand, so a reader from position 0 still gets every byte once.</summary>
public sealed class OutputFromNodeClusterTests(AgentCluster cluster) : IClassFixture<AgentCluster>
{
    private const int Lines = 3_000_000; // 22.9 MB: more than the hub keeps of one stream, less than the node keeps

    [Fact]
    public async Task Bytes_the_hub_dropped_are_read_from_the_node_and_logs_prints_the_whole_stream_once()
    {
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            $$"""{"id":"big-1","placement":"n1","restart_policy":"never","command":["seq","1","{{Lines}}"]}""");
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        var exited = await cluster.WaitForAgentAsync("big-1", s => State(s) == "exited", TimeSpan.FromSeconds(60));
        var runId = exited.GetProperty("status").GetProperty("run").GetProperty("run_id").GetString()!;
        var path = $"/api/admin/agents/big-1/runs/{runId}/output?stream=stdout";
        await WaitUntilAsync(async () =>
        {
            using var response = await cluster.Admin.GetAsync(path + "&from=1000000000000&limit=16"); // at the end, wherever it is
            return response.IsSuccessStatusCode && response.Headers.GetValues("Mesh-Output-Complete").Single() == "true"
                && response.Headers.GetValues("Mesh-Output-Source").Single() == "hub";
        }, "the whole stream relayed", TimeSpan.FromSeconds(60));

        using (var response = await cluster.Admin.GetAsync(path + "&from=0&limit=64"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("node", response.Headers.GetValues("Mesh-Output-Source").Single());
            Assert.Equal("0", response.Headers.GetValues("Mesh-Output-Start").Single());
            Assert.StartsWith("1\n2\n3\n4\n", Encoding.ASCII.GetString(await response.Content.ReadAsByteArrayAsync()), StringComparison.Ordinal);
        }

        var logs = await Hub.Tests.Support.MeshProcess.RunAsync("agents", "logs", "big-1", "--hub", cluster.Admin.BaseAddress!.ToString(), "--token", ApiToken);
        Assert.True(logs.ExitCode == 0, logs.Stderr);
        Assert.DoesNotContain("dropped", logs.Stderr, StringComparison.Ordinal);
        var lines = logs.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Lines, lines.Length);
        for (var i = 0; i < Lines; i++)
        {
            if (lines[i] != (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))
                Assert.Fail($"line {i + 1} is '{lines[i]}'");
        }
    }
}
