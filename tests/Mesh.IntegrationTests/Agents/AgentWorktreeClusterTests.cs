using System.Net;
using System.Text.Json;
using Mesh.Core.Tests;
using static Mesh.IntegrationTests.Agents.AgentCluster;

namespace Mesh.IntegrationTests.Agents;

/// <summary>Worktrees through a real hub and real nodes with the system git: made on the node, relayed on demand, cleaned up without losing work.</summary>
public sealed class AgentWorktreeClusterTests(AgentCluster cluster) : IClassFixture<AgentCluster>
{
    [Fact]
    public async Task Commit_in_the_worktree_shows_ahead_and_diff_delete_keeps_it_until_pushed()
    {
        var repo = Repo("repo-keep");
        var remote = Path.Combine(cluster.WorkRoot, "remote-keep.git");
        Git(cluster.WorkRoot, "init", "-q", "--bare", remote);
        Git(repo, "remote", "add", "origin", remote);
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            $$"""{"id":"wt-keep","placement":"n1","command":["sleep","1000"],"work_mode":"create_worktree","repo":"{{repo}}","ref":"main","stop_grace_seconds":2}""");
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        var worktree = (await cluster.WaitForAgentAsync("wt-keep", s => State(s) == "running", TimeSpan.FromSeconds(30))).GetProperty("status").GetProperty("worktree");
        var path = worktree.GetProperty("path").GetString()!;
        Assert.StartsWith(Path.Combine(cluster.WorktreeRoot, "repo-keep-wt-keep-"), path, StringComparison.Ordinal);
        Assert.StartsWith("mesh/wt-keep-", worktree.GetProperty("branch").GetString(), StringComparison.Ordinal);

        File.AppendAllText(Path.Combine(path, "README.md"), "world\n");
        Git(path, "commit", "-qam", "agent work");
        var (_, state) = await cluster.SendAsync(HttpMethod.Get, "/api/admin/agents/wt-keep/worktree");
        Assert.Equal(1, state.GetProperty("ahead").GetInt32());
        Assert.Equal(1, state.GetProperty("unpushed").GetInt32());
        var (_, diff) = await cluster.SendAsync(HttpMethod.Get, "/api/admin/agents/wt-keep/worktree/diff?path=README.md");
        Assert.Contains("+world", diff.GetProperty("diff").GetString(), StringComparison.Ordinal);
        var (escape, refused) = await cluster.SendAsync(HttpMethod.Get, "/api/admin/agents/wt-keep/worktree/files?path=../../node-n1/agents.db");
        Assert.Equal(HttpStatusCode.BadRequest, escape);
        Assert.Contains("contains '..'", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Deleting keeps it and says why.
        var (deleted, outcome) = await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/wt-keep");
        Assert.Equal(HttpStatusCode.OK, deleted);
        Assert.Equal("kept", outcome.GetProperty("worktree").GetProperty("outcome").GetString());
        Assert.Equal("kept: 0 uncommitted files, 1 unpushed commit", outcome.GetProperty("worktree").GetProperty("message").GetString());
        Assert.True(Directory.Exists(path));
        var (_, listed) = await cluster.SendAsync(HttpMethod.Get, "/api/admin/agent-nodes/n1/worktrees");
        Assert.Contains(listed.GetProperty("worktrees").EnumerateArray(), w => w.GetProperty("kept").GetString() == "kept: 0 uncommitted files, 1 unpushed commit");
        var (conflict, named) = await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agent-nodes/n1/worktrees?path=" + Uri.EscapeDataString(path));
        Assert.Equal(HttpStatusCode.Conflict, conflict);
        Assert.Contains("would lose 0 uncommitted files, 1 unpushed commit", named.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // After a push, an agent's clean worktree is removed on delete.
        (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            $$"""{"id":"wt-push","placement":"n1","command":["sleep","1000"],"work_mode":"create_worktree","repo":"{{repo}}","ref":"main","stop_grace_seconds":2}""");
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        var pushed = (await cluster.WaitForAgentAsync("wt-push", s => State(s) == "running", TimeSpan.FromSeconds(30))).GetProperty("status").GetProperty("worktree");
        var pushedPath = pushed.GetProperty("path").GetString()!;
        File.AppendAllText(Path.Combine(pushedPath, "README.md"), "pushed\n");
        Git(pushedPath, "commit", "-qam", "pushed work");
        Git(pushedPath, "push", "-q", "origin", pushed.GetProperty("branch").GetString()!);
        (deleted, outcome) = await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/wt-push");
        Assert.Equal(HttpStatusCode.OK, deleted);
        Assert.Equal("removed", outcome.GetProperty("worktree").GetProperty("outcome").GetString());
        Assert.False(Directory.Exists(pushedPath));
    }

    [Fact]
    public async Task Twenty_agents_created_at_once_on_one_repository_all_start()
    {
        var repo = Repo("repo-many");
        var ids = Enumerable.Range(1, 20).Select(i => $"wt-many-{i:00}").ToList();
        var created = await Task.WhenAll(ids.Select(id => cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            $$"""{"id":"{{id}}","placement":"n2","command":["sleep","1000"],"work_mode":"create_worktree","repo":"{{repo}}","ref":"main","stop_grace_seconds":1}""")));
        Assert.All(created, c => Assert.Equal(HttpStatusCode.Created, c.Status));
        foreach (var id in ids)
            await cluster.WaitForAgentAsync(id, s => State(s) == "running", TimeSpan.FromSeconds(60));
        Assert.Equal(21, Git(repo, "worktree", "list").Split('\n').Length);
        Assert.Equal(20, Git(repo, "branch", "--list", "mesh/*").Split('\n').Length);
        foreach (var id in ids)
        {
            var (_, outcome) = await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/" + id);
            Assert.Equal("removed", outcome.GetProperty("worktree").GetProperty("outcome").GetString());
        }

        Assert.Single(Git(repo, "worktree", "list").Split('\n'));
    }

    [Fact]
    public async Task Node_reports_its_worktree_root_and_the_disk_its_worktrees_take_over_REST()
    {
        var repo = Repo("repo-usage");
        File.WriteAllBytes(Path.Combine(repo, "data.bin"), new byte[200_000]);
        Git(repo, "add", "data.bin");
        Git(repo, "commit", "-qm", "data");
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            $$"""{"id":"wt-usage","placement":"n1","command":["sleep","1000"],"work_mode":"create_worktree","repo":"{{repo}}","ref":"main","stop_grace_seconds":1}""");
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        await cluster.WaitForAgentAsync("wt-usage", s => State(s) == "running", TimeSpan.FromSeconds(30));

        JsonElement worktrees = default;
        await WaitUntilAsync(async () =>
        {
            var (_, node) = await cluster.SendAsync(HttpMethod.Get, "/api/admin/agent-nodes/n1");
            worktrees = node.GetProperty("worktrees");
            return worktrees.ValueKind == JsonValueKind.Object && worktrees.GetProperty("bytes").GetInt64() >= 200_000;
        }, "n1's heartbeat carrying the new worktree's size", TimeSpan.FromSeconds(30));
        Assert.Equal(cluster.WorktreeRoot, worktrees.GetProperty("default_root").GetString());
        Assert.True(worktrees.GetProperty("count").GetInt32() >= 1);
        Assert.Equal(JsonValueKind.Null, worktrees.GetProperty("quota_bytes").ValueKind);
        Assert.Equal(JsonValueKind.String, worktrees.GetProperty("measured_at").ValueKind);
        await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/wt-usage");
    }

    [Fact]
    public async Task Bad_work_folder_fields_are_refused_naming_the_field()
    {
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            """{"id":"wt-bad","placement":"n1","command":["true"],"work_mode":"create_worktree"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(body.GetProperty("errors").TryGetProperty("repo", out _), body.ToString());
        (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            """{"id":"wt-bad","placement":"n1","command":["true"],"work_mode":"create_worktree","repo":"/srv/r","ref":"--upload-pack=x"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(body.GetProperty("errors").TryGetProperty("ref", out _), body.ToString());
        (status, _) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", """{"id":"wt-bad","placement":"n1","command":["true"],"work_mode":"clone"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    private string Repo(string name)
    {
        var repo = GitRepo.Create(Path.Combine(cluster.WorkRoot, name));
        return repo;
    }

    private static string Git(string dir, params string[] args) => GitRepo.Run(dir, args);
}
