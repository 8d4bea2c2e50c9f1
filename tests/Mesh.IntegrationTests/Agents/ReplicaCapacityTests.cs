using System.Net;
using System.Text.Json;
using static Mesh.IntegrationTests.Agents.AgentCluster;
using static Mesh.IntegrationTests.Agents.ReplicaClusterTests;

namespace Mesh.IntegrationTests.Agents;

/// <summary>A hub and two nodes that take at most two runs each ([node] max_agents = 2).</summary>
public sealed class SmallCluster : AgentCluster
{
    public SmallCluster()
        : base(["n1", "n2"], new Dictionary<string, int> { ["n1"] = 2, ["n2"] = 2 })
    {
    }
}

/// <summary>
/// Placement honours each node's max_agents (reported in its heartbeats): a scale beyond the room left places what
/// fits and leaves the rest "pending: no capacity" (never more runs on a node than it takes), a freed slot is taken
/// by a waiting replica.
/// </summary>
public sealed class ReplicaCapacityTests(SmallCluster cluster) : IClassFixture<SmallCluster>
{
    private const string Command = """["sh","-c","exec sleep 1000"]""";

    [Fact]
    public async Task Scale_beyond_capacity_leaves_the_rest_pending_and_a_freed_slot_places_it()
    {
        await WaitUntilAsync(async () =>
            JsonDocument.Parse(await cluster.Admin.GetStringAsync("/api/admin/agent-nodes")).RootElement.GetProperty("nodes").EnumerateArray()
                .All(n => n.GetProperty("max_agents").ValueKind == JsonValueKind.Number && n.GetProperty("max_agents").GetInt32() == 2), "both nodes reported max_agents = 2");
        Assert.Equal(HttpStatusCode.Created, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", $$"""{"id":"cap-b","command":{{Command}},"stop_grace_seconds":1}""")).Status);
        Assert.Equal(HttpStatusCode.Created, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", $$"""{"id":"cap-a","command":{{Command}},"stop_grace_seconds":1}""")).Status);

        // 4 slots, 2 taken: of 3 new replicas 2 are placed and 1 waits.
        var (status, scaled) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/cap-a/scale", """{"replicas":4}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var replicas = Replicas(scaled);
        Assert.Equal(3, replicas.Count);
        var pending = Assert.Single(replicas, r => r.GetProperty("node_id").ValueKind == JsonValueKind.Null);
        Assert.Equal("pending: no capacity", pending.GetProperty("state").GetString());
        Assert.Equal(3, pending.GetProperty("ordinal").GetInt32());
        await AssertNoNodeOverAsync(2);

        // All nodes full: a new agent is refused, a further scale waits too.
        var (refused, problem) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", $$"""{"id":"cap-c","command":{{Command}}}""");
        Assert.Equal(HttpStatusCode.Conflict, refused);
        Assert.Contains("max_agents", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var (full, fuller) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/cap-a/scale", """{"replicas":5}""");
        Assert.Equal(HttpStatusCode.OK, full);
        Assert.Equal(2, Replicas(fuller).Count(r => r.GetProperty("state").GetString() == "pending: no capacity"));
        await AssertNoNodeOverAsync(2);

        // Scale-down takes the newest of the (all idle) rank: the last waiting replica.
        Assert.Equal(HttpStatusCode.OK, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/cap-a/scale", """{"replicas":4}""")).Status);
        await WaitUntilAsync(async () => Replicas(await cluster.AgentAsync("cap-a")).Count == 3, "one replica removed");
        var left = Replicas(await cluster.AgentAsync("cap-a"));
        Assert.Equal([1, 2, 3], left.Select(r => r.GetProperty("ordinal").GetInt32()));

        // Deleting cap-b frees a slot: the waiting replica is placed and runs.
        Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/cap-b")).Status);
        var waited = Name(pending);
        await WaitUntilAsync(async () => Replicas(await cluster.AgentAsync("cap-a")).Single(r => Name(r) == waited).GetProperty("state").GetString() == "running",
            "the waiting replica runs once a slot is free", TimeSpan.FromSeconds(30));
        await AssertNoNodeOverAsync(2);
        Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/cap-a")).Status);
    }

    private async Task AssertNoNodeOverAsync(int max)
    {
        var agents = JsonDocument.Parse(await cluster.Admin.GetStringAsync("/api/admin/agents")).RootElement.GetProperty("agents").EnumerateArray().ToList();
        var placed = agents.Select(a => a.GetProperty("node_id").GetString())
            .Concat(agents.SelectMany(a => Replicas(a)).Where(r => r.GetProperty("node_id").ValueKind == JsonValueKind.String).Select(r => r.GetProperty("node_id").GetString()));
        Assert.All(placed.GroupBy(n => n), g => Assert.True(g.Count() <= max, $"{g.Key} has {g.Count()} runs placed"));
    }
}
