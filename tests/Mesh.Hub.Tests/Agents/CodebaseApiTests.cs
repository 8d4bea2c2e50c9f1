using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Agents;

/// <summary>
/// Codebases over REST against a real in-process hub (Kestrel, SQLite) with pre-registered nodes (no node process):
/// binding rules and their refusals — a removed node first of all — an agent placed only where its codebase is, and
/// the guards that keep bindings and nodes consistent. Placement over live nodes is CodebaseClusterTests'.
/// </summary>
public sealed class CodebaseApiTests : IAsyncLifetime
{
    private TestHub _hub = null!;

    public async Task InitializeAsync()
    {
        _hub = await TestHub.StartAsync();
        foreach (var node in new[] { "cb1", "cb2", "cb-gone" })
            Assert.Equal(HttpStatusCode.Created, (await _hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes", new { id = node })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _hub.Admin.DeleteAsync("/api/admin/agent-nodes/cb-gone")).StatusCode);
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Theory]
    [InlineData("""{"name":"web","nodes":{"cb-gone":"/srv/web"}}""", "node 'cb-gone' was removed from the hub: a codebase cannot be bound to a removed node")]
    [InlineData("""{"name":"web","nodes":{"cb1":"/srv/web","cb-gone":"/srv/web"}}""", "node 'cb-gone' was removed from the hub")]
    [InlineData("""{"name":"web","nodes":{"nowhere":"/srv/web"}}""", "unknown node 'nowhere'")]
    [InlineData("""{"name":"web","nodes":{"cb1":"srv/web"}}""", "node 'cb1': the repository path must be an absolute path")]
    [InlineData("""{"name":"web","nodes":{}}""", "bind the codebase to at least one node")]
    [InlineData("""{"name":"w","nodes":{"cb1":"/srv/web"}}""", "name: ")]
    [InlineData("""{"nodes":{"cb1":"/srv/web"}}""", "a codebase needs a name")]
    [InlineData("""{"name":"web","nodes":{"cb1":"/srv/web"},"extra":1}""", "extra")]
    public async Task Create_bad_input_is_400_naming_the_problem_and_stores_nothing(string json, string text)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/admin/codebases", json);

        Assert.True(status == HttpStatusCode.BadRequest, $"{json}: {status} {body}");
        Assert.Contains(text, body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty((await SendAsync(HttpMethod.Get, "/api/admin/codebases")).Body.GetProperty("codebases").EnumerateArray());
    }

    [Fact]
    public async Task Binding_a_removed_node_later_is_refused_too_and_the_codebase_is_unchanged()
    {
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, "/api/admin/codebases", """{"name":"api","nodes":{"cb1":"/srv/api"}}""")).Status);

        var (status, body) = await SendAsync(HttpMethod.Put, "/api/admin/codebases/api/nodes/cb-gone", """{"path":"/srv/api"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("a codebase cannot be bound to a removed node", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(["cb1"], (await SendAsync(HttpMethod.Get, "/api/admin/codebases/api")).Body.GetProperty("nodes").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Agents_go_only_where_their_codebase_is_and_the_bindings_stay_consistent()
    {
        var (created, codebase) = await SendAsync(HttpMethod.Post, "/api/admin/codebases", """{"name":"shop","nodes":{"cb1":"/srv/shop"}}""");
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal("/srv/shop", codebase.GetProperty("nodes").GetProperty("cb1").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(HttpMethod.Post, "/api/admin/codebases", """{"name":"shop","nodes":{"cb2":"/x"}}""")).Status);

        // An agent naming it: not on a node it is not bound to, not with a codebase that does not exist.
        var (wrongNode, wrongBody) = await SendAsync(HttpMethod.Post, "/api/admin/agents", """{"id":"shop-1","placement":"cb2","codebase":"shop","command":["true"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, wrongNode);
        Assert.Contains("node 'cb2' is not bound to codebase 'shop' (bound: cb1)", wrongBody.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var (unknown, unknownBody) = await SendAsync(HttpMethod.Post, "/api/admin/agents", """{"id":"shop-1","placement":"cb1","codebase":"nope","command":["true"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, unknown);
        Assert.Contains("codebase 'nope' does not exist", unknownBody.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // auto: no node bound to it is online (both are only registered).
        var (auto, autoBody) = await SendAsync(HttpMethod.Post, "/api/admin/agents", """{"id":"shop-1","codebase":"shop","command":["true"]}""");
        Assert.Equal(HttpStatusCode.Conflict, auto);
        Assert.Contains("no node is online", autoBody.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/api/admin/agents/shop-1")).Status);

        var (ok, agent) = await SendAsync(HttpMethod.Post, "/api/admin/agents", """{"id":"shop-1","placement":"cb1","codebase":"shop","command":["true"]}""");
        Assert.Equal(HttpStatusCode.Created, ok);
        Assert.Equal(("cb1", "shop"), (agent.GetProperty("node_id").GetString(), agent.GetProperty("codebase").GetString()));
        var (patched, patchBody) = await SendAsync(HttpMethod.Patch, "/api/admin/agents/shop-1", """{"codebase":"other"}""");
        Assert.Equal(HttpStatusCode.BadRequest, patched);
        Assert.Contains("codebase cannot change", patchBody.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // While the agent is there: the codebase is not deleted nor unbound from cb1; cb1 is not removed.
        Assert.Contains("agents name codebase 'shop' (shop-1)", (await SendAsync(HttpMethod.Delete, "/api/admin/codebases/shop")).Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("runs of codebase 'shop' are placed on node 'cb1' (shop-1)", (await SendAsync(HttpMethod.Delete, "/api/admin/codebases/shop/nodes/cb1")).Body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Bind a second node, then: cb2 cannot be removed while bound; unbinding it (nothing placed there) is fine.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, "/api/admin/codebases/shop/nodes/cb2", """{"path":"/home/ci/shop"}""")).Status);
        var (removeNode, removeBody) = await SendAsync(HttpMethod.Delete, "/api/admin/agent-nodes/cb2");
        Assert.Equal(HttpStatusCode.Conflict, removeNode);
        Assert.Contains("node 'cb2' is bound to codebase(s) shop; unbind it first", removeBody.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var (unbound, after) = await SendAsync(HttpMethod.Delete, "/api/admin/codebases/shop/nodes/cb2");
        Assert.Equal(HttpStatusCode.OK, unbound);
        Assert.Equal(["cb1"], after.GetProperty("nodes").EnumerateObject().Select(p => p.Name));
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, "/api/admin/agent-nodes/cb2")).Status);

        // Without its agent the codebase goes.
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, "/api/admin/agents/shop-1")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, "/api/admin/codebases/shop")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/api/admin/codebases/shop")).Status);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await _hub.Admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
