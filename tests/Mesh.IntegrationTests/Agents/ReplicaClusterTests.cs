using System.Net;
using System.Text.Json;
using Mesh.Hub.Tests.Support;
using static Mesh.IntegrationTests.Agents.AgentCluster;

namespace Mesh.IntegrationTests.Agents;

/// <summary>A hub and three nodes (n1, n2, n3) for replicas.</summary>
public sealed class ReplicaCluster : AgentCluster
{
    public ReplicaCluster()
        : base(["n1", "n2", "n3"])
    {
    }

    /// <summary>
    /// Creates agent <paramref name="id"/> running the python <paramref name="worker"/> with the actor CLI's argv in
    /// ACTOR_ARGV and <paramref name="environment"/>, scales it to <paramref name="replicas"/> runs and waits until all run.
    /// </summary>
    public async Task CreateWorkerAsync(string id, string worker, Dictionary<string, string> environment, int replicas)
    {
        environment["ACTOR_ARGV"] = JsonSerializer.Serialize(ActorCommand());
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/admin/agents",
            $$"""{"id":"{{id}}","command":["python3","{{worker}}"],"environment":{{JsonSerializer.Serialize(environment)}},"restart_policy":"never","stop_grace_seconds":1}""");
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        if (replicas > 1)
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"/api/admin/agents/{id}/scale", $$"""{"replicas":{{replicas}}}""")).Status);
        await WaitUntilAsync(async () =>
        {
            var agent = await AgentAsync(id);
            return State(agent.GetProperty("status")) == "running" && ReplicaClusterTests.Replicas(agent).Count(r => r.GetProperty("state").GetString() == "running") == replicas - 1;
        }, $"{id} and its replicas running");
        await Task.Delay(TimeSpan.FromSeconds(1)); // their inbox watches are open
    }
}

/// <summary>
/// Replicas across a real hub and three real nodes: scale 1 → 5 → 3 → 5 → 1 with unique never-reused names, spread
/// over the nodes, each replica a run with its own actor and work folder; scale-down drains the newest rank, idle
/// before busy, and keeps the removed replica's mailbox as an archive; bad scale requests change nothing.
/// </summary>
public sealed class ReplicaClusterTests(ReplicaCluster cluster) : IClassFixture<ReplicaCluster>
{
    private const string Command = """["sh","-c","echo \"$MESH_ACTOR_ID\" > whoami; exec sleep 1000"]""";

    [Fact]
    public async Task Scale_1_5_3_5_1_names_are_unique_spread_over_three_nodes_newest_idle_drained_first_never_reused()
    {
        var (created, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", $$"""{"id":"rep-a","command":{{Command}},"stop_grace_seconds":2}""");
        Assert.True(created == HttpStatusCode.Created, body.ToString());
        await cluster.WaitForAgentAsync("rep-a", s => State(s) == "running");

        // 1 → 5: four named replicas, one rank, spread so that every node runs one before any runs two.
        var scaled = await ScaleAsync("rep-a", 5);
        Assert.Equal(5, scaled.GetProperty("replicas").GetInt32());
        var first = Replicas(scaled);
        Assert.Equal(4, first.Count);
        Assert.Equal([1, 2, 3, 4], first.Select(r => r.GetProperty("ordinal").GetInt32()));
        Assert.All(first, r => Assert.Matches("^[a-z]+ing-[a-z]+$", r.GetProperty("name").GetString()));
        Assert.Equal(4, first.Select(Name).Distinct().Count());
        var running = await WaitForReplicasAsync("rep-a", rs => rs.Count == 4 && rs.All(r => r.GetProperty("state").GetString() == "running"));
        var nodes = running.Select(r => r.GetProperty("node_id").GetString()!).Append(scaled.GetProperty("node_id").GetString()!).ToList();
        Assert.Equal(["n1", "n2", "n3"], nodes.Distinct().Order());
        Assert.All(nodes.GroupBy(n => n), g => Assert.InRange(g.Count(), 1, 2));

        // Each replica is a run of its own: its actor (placed on its node) and its own work folder.
        foreach (var replica in running)
        {
            var name = Name(replica);
            var node = replica.GetProperty("node_id").GetString()!;
            var whoami = Path.Combine(cluster.NodeDataDir(node), "agents", name, "whoami");
            await WaitUntilAsync(() => Task.FromResult(File.Exists(whoami) && File.ReadAllText(whoami).Trim() == name), $"{whoami} names {name}");
            var (actorStatus, actor) = await cluster.SendAsync(HttpMethod.Get, "/api/admin/actors/" + name);
            Assert.Equal(HttpStatusCode.OK, actorStatus);
            Assert.Equal(node, actor.GetProperty("placement").GetString());
            var (replicaStatus, one) = await cluster.SendAsync(HttpMethod.Get, "/api/admin/agents/" + name);
            Assert.Equal(HttpStatusCode.OK, replicaStatus);
            Assert.Equal("rep-a", one.GetProperty("replica_of").GetString());
        }

        // The newest (ordinal 4) has a message waiting: it is busy, so 5 → 3 drains ordinals 3 and 2 (idle, newest first).
        var busy = Name(running[3]);
        var (sent, _) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/messages", $$"""{"to_actor_id":"{{busy}}","text":"work for you"}""");
        Assert.Equal(HttpStatusCode.Created, sent);
        var pids = running.ToDictionary(Name, r => r.GetProperty("run").GetProperty("pid").GetInt32());
        await ScaleAsync("rep-a", 3);
        var afterDown = await WaitForReplicasAsync("rep-a", rs => rs.Count == 2);
        Assert.Equal([Name(running[0]), busy], afterDown.Select(Name));
        foreach (var gone in new[] { Name(running[1]), Name(running[2]) })
        {
            await WaitUntilAsync(() => Task.FromResult(!Alive(pids[gone])), $"{gone}'s run ended");
            Assert.Equal(HttpStatusCode.NotFound, (await cluster.SendAsync(HttpMethod.Get, "/api/admin/actors/" + gone)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await cluster.SendAsync(HttpMethod.Get, "/api/admin/agents/" + gone)).Status);
        }

        Assert.True(Alive(pids[busy]));

        // 3 → 5: two new names (a new rank), none used before, every node still in use.
        var again = Replicas(await ScaleAsync("rep-a", 5));
        var added = again.Where(r => r.GetProperty("ordinal").GetInt32() > 4).ToList();
        Assert.Equal([5, 6], added.Select(r => r.GetProperty("ordinal").GetInt32()));
        Assert.All(added, r => Assert.Equal(2, r.GetProperty("rank").GetInt32()));
        Assert.Empty(added.Select(Name).Intersect(first.Select(Name)));
        var five = await WaitForReplicasAsync("rep-a", rs => rs.Count == 4 && rs.All(r => r.GetProperty("state").GetString() == "running"));
        Assert.Equal(["n1", "n2", "n3"], five.Select(r => r.GetProperty("node_id").GetString()!).Append(scaled.GetProperty("node_id").GetString()!).Distinct().Order());

        // 5 → 1: all go; the busy one's mailbox is archived, not deleted.
        await ScaleAsync("rep-a", 1);
        await WaitForReplicasAsync("rep-a", rs => rs.Count == 0);
        var (archived, archive) = await cluster.SendAsync(HttpMethod.Get, $"/api/admin/agents/rep-a/replicas/{busy}/messages");
        Assert.Equal(HttpStatusCode.OK, archived);
        Assert.Equal("removed", archive.GetProperty("state").GetString());
        Assert.Equal("work for you", Assert.Single(archive.GetProperty("messages").EnumerateArray()).GetProperty("payload").GetString());

        // Names are never given out again, also after removal.
        var used = first.Concat(added).Select(Name).ToHashSet();
        var later = Replicas(await ScaleAsync("rep-a", 3));
        Assert.Equal(2, later.Count);
        Assert.All(later, r => Assert.DoesNotContain(Name(r), used));
        Assert.Equal([7, 8], later.Select(r => r.GetProperty("ordinal").GetInt32()));
        await ScaleAsync("rep-a", 1);
        Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/rep-a")).Status);
    }

    [Fact]
    public async Task Bad_scale_requests_are_refused_with_a_clear_message_and_change_nothing()
    {
        Assert.Equal(HttpStatusCode.Created, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", $$"""{"id":"rep-bad","command":{{Command}},"stop_grace_seconds":1}""")).Status);
        Assert.Equal(HttpStatusCode.Created, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            $$"""{"id":"rep-shared","command":{{Command}},"work_dir":"{{cluster.WorkRoot}}"}""")).Status);
        foreach (var (json, status, text) in new[]
        {
            ("""{"replicas":-1}""", HttpStatusCode.BadRequest, "replicas -1 is negative"),
            ("""{"replicas":0}""", HttpStatusCode.BadRequest, "at least once"),
            ("""{"replicas":101}""", HttpStatusCode.BadRequest, "above the limit of 100"),
            ("""{"replicas":"three"}""", HttpStatusCode.BadRequest, "whole number"),
            ("""{"replicas":2.5}""", HttpStatusCode.BadRequest, "whole number"),
            ("""{}""", HttpStatusCode.BadRequest, "send {\"replicas\": N}"),
            ("""{"replicas":2,"extra":1}""", HttpStatusCode.BadRequest, "extra"),
        })
        {
            var (got, problem) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/rep-bad/scale", json);
            Assert.True(got == status, $"{json}: {got} {problem}");
            Assert.Contains(text, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var (shared, sharedProblem) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/rep-shared/scale", """{"replicas":2}""");
        Assert.Equal(HttpStatusCode.BadRequest, shared);
        Assert.Contains("replicas need a folder each", sharedProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/no-such/scale", """{"replicas":2}""")).Status);

        foreach (var id in new[] { "rep-bad", "rep-shared" })
        {
            var agent = await cluster.AgentAsync(id);
            Assert.Equal(1, agent.GetProperty("replicas").GetInt32());
            Assert.Empty(agent.GetProperty("replica_list").EnumerateArray());
        }

        // A replica's name is not an agent to scale, stop or delete: the answer names its agent.
        var replica = Name(Assert.Single(Replicas(await ScaleAsync("rep-bad", 2))));
        foreach (var (method, path, json) in new[] { (HttpMethod.Post, $"/api/admin/agents/{replica}/scale", """{"replicas":3}"""), (HttpMethod.Post, $"/api/admin/agents/{replica}/stop", null), (HttpMethod.Delete, $"/api/admin/agents/{replica}", null) })
        {
            var (got, problem) = await cluster.SendAsync(method, path, json);
            Assert.Equal(HttpStatusCode.Conflict, got);
            Assert.Contains("replica of agent 'rep-bad'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // An agent id may not take a replica's name either.
        var (taken, takenProblem) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", $$"""{"id":"{{replica}}","command":{{Command}}}""");
        Assert.Equal(HttpStatusCode.Conflict, taken);
        Assert.Contains("the name of a replica", takenProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Deleting the agent deletes its replicas (runs stopped, actors gone) at once.
        var pid = (await WaitForReplicasAsync("rep-bad", rs => rs.Count == 1 && rs[0].GetProperty("state").GetString() == "running"))[0].GetProperty("run").GetProperty("pid").GetInt32();
        Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/rep-bad")).Status);
        await WaitUntilAsync(() => Task.FromResult(!Alive(pid)), "the replica's run ended with its agent");
        Assert.Equal(HttpStatusCode.NotFound, (await cluster.SendAsync(HttpMethod.Get, "/api/admin/actors/" + replica)).Status);
        await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/rep-shared");
    }

    [Fact]
    public async Task Cli_scale_and_list_group_replicas_under_their_agent()
    {
        Assert.Equal(HttpStatusCode.Created, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", $$"""{"id":"rep-cli","command":{{Command}},"stop_grace_seconds":1}""")).Status);
        string[] auth = ["--hub", cluster.Admin.BaseAddress!.ToString().TrimEnd('/'), "--token", ApiToken];
        var scale = await MeshProcess.RunWithAsync(["agents", "scale", "rep-cli", "3", .. auth], null);
        Assert.True(scale.ExitCode == 0, scale.Stderr);
        Assert.Contains("replicas:  3", scale.Stdout, StringComparison.Ordinal);
        var names = Replicas(await cluster.AgentAsync("rep-cli")).Select(Name).ToList();
        Assert.Equal(2, names.Count);
        var list = await MeshProcess.RunWithAsync(["agents", "list", .. auth], null);
        Assert.True(list.ExitCode == 0, list.Stderr);
        var lines = list.Stdout.Split('\n');
        var at = Array.FindIndex(lines, l => l.StartsWith("rep-cli ", StringComparison.Ordinal));
        Assert.True(at >= 0, list.Stdout);
        Assert.StartsWith("  " + names[0], lines[at + 1], StringComparison.Ordinal);
        Assert.StartsWith("  " + names[1], lines[at + 2], StringComparison.Ordinal);

        var refused = await MeshProcess.RunWithAsync(["agents", "scale", "rep-cli", "-2", .. auth], null);
        Assert.NotEqual(0, refused.ExitCode);
        var tooMany = await MeshProcess.RunWithAsync(["agents", "scale", "rep-cli", "500", .. auth], null);
        Assert.Equal(1, tooMany.ExitCode);
        Assert.Contains("above the limit of 100", tooMany.Stderr, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/rep-cli")).Status);
    }

    internal static string Name(JsonElement replica) => replica.GetProperty("name").GetString()!;

    internal static List<JsonElement> Replicas(JsonElement agent) => [.. agent.GetProperty("replica_list").EnumerateArray()];

    private async Task<JsonElement> ScaleAsync(string id, int replicas)
    {
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, $"/api/admin/agents/{id}/scale", $$"""{"replicas":{{replicas}}}""");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private async Task<List<JsonElement>> WaitForReplicasAsync(string id, Func<List<JsonElement>, bool> condition)
    {
        List<JsonElement> last = [];
        await WaitUntilAsync(async () => condition(last = Replicas(await cluster.AgentAsync(id))), $"replicas of {id}; last: {string.Join(", ", last.Select(r => r.ToString()))}", TimeSpan.FromSeconds(30));
        return last;
    }
}
