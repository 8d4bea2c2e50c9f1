using System.Net;
using static Mesh.IntegrationTests.Agents.AgentCluster;
using static Mesh.IntegrationTests.Agents.ReplicaClusterTests;

namespace Mesh.IntegrationTests.Agents;

/// <summary>
/// Codebase affinity on a real hub with three real nodes: an agent naming a codebase bound to n1 and n3 runs, with
/// all its replicas, only there (never on n2, which has room), and each run is told the repository path on its node.
/// </summary>
public sealed class CodebaseClusterTests(ReplicaCluster cluster) : IClassFixture<ReplicaCluster>
{
    [Fact]
    public async Task An_agent_and_its_replicas_run_only_on_the_nodes_of_its_codebase_with_the_path_there()
    {
        var paths = new Dictionary<string, string> { ["n1"] = "/srv/repos/shop", ["n3"] = "/home/ci/shop" };
        var (created, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/codebases", """{"name":"shop","nodes":{"n1":"/srv/repos/shop","n3":"/home/ci/shop"}}""");
        Assert.True(created == HttpStatusCode.Created, body.ToString());
        const string Command = """["sh","-c","echo \"$MESH_CODEBASE $MESH_CODEBASE_PATH\" > codebase; exec sleep 1000"]""";
        (created, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", $$"""{"id":"cb-agent","codebase":"shop","command":{{Command}},"stop_grace_seconds":1}""");
        Assert.True(created == HttpStatusCode.Created, body.ToString());
        Assert.Contains(body.GetProperty("node_id").GetString(), paths.Keys);

        Assert.Equal(HttpStatusCode.OK, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/cb-agent/scale", """{"replicas":5}""")).Status);
        List<(string Name, string Node)> runs = [];
        await WaitUntilAsync(async () =>
        {
            var agent = await cluster.AgentAsync("cb-agent");
            var replicas = Replicas(agent);
            runs = [.. replicas.Select(r => (Name(r), r.GetProperty("node_id").GetString()!)).Prepend(("cb-agent", agent.GetProperty("node_id").GetString()!))];
            return State(agent.GetProperty("status")) == "running" && replicas.Count == 4 && replicas.All(r => r.GetProperty("state").GetString() == "running");
        }, "cb-agent and four replicas running");

        Assert.Equal(["n1", "n3"], runs.Select(r => r.Node).Distinct().Order());
        foreach (var (name, node) in runs)
        {
            var file = Path.Combine(cluster.NodeDataDir(node), "agents", name, "codebase");
            await WaitUntilAsync(() => Task.FromResult(File.Exists(file) && File.ReadAllText(file).Trim().Length > 0), $"{file} written");
            Assert.Equal($"shop {paths[node]}", File.ReadAllText(file).Trim());
        }

        Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/cb-agent")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/codebases/shop")).Status);
    }
}
