using System.Net;
using System.Net.Http.Json;
using Mesh.Hub.Access;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Agents;

/// <summary>[hub] max_replicas against a real in-process hub: the limit the scale call, its message and the page's number field use.</summary>
public sealed class MaxReplicasTests : IAsyncLifetime
{
    private const string Password = "max-replicas-root-password-123";
    private TestHub _hub = null!;

    public async Task InitializeAsync()
    {
        _hub = await TestHub.StartAsync(extraToml: $"root_password_hash = \"{PasswordHasher.Hash(Password)}\"\n[hub]\nmax_replicas = 3");
        Assert.Equal(HttpStatusCode.Created, (await _hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes", new { id = "mr1" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _hub.Admin.PostAsJsonAsync("/api/admin/agents", new { id = "limited", placement = "mr1", command = new[] { "sleep", "100" } })).StatusCode);
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task Scale_above_the_configured_limit_is_400_naming_it_and_changes_nothing()
    {
        var refused = await _hub.Admin.PostAsJsonAsync("/api/admin/agents/limited/scale", new { replicas = 4 });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("replicas 4 is above the limit of 3 ([hub] max_replicas)", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var agent = await _hub.Admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/admin/agents/limited");
        Assert.Equal(1, agent.GetProperty("replicas").GetInt32());
        Assert.Empty(agent.GetProperty("replica_list").EnumerateArray());
    }

    [Fact]
    public async Task Scale_to_the_limit_is_accepted_and_the_page_offers_no_more()
    {
        var scaled = await _hub.Admin.PostAsJsonAsync("/api/admin/agents/limited/scale", new { replicas = 3 });

        Assert.Equal(HttpStatusCode.OK, scaled.StatusCode);
        Assert.Equal(2, (await scaled.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("replica_list").GetArrayLength());
        using var root = await WebSession.LoginAsync(_hub.WebUrl, "root", Password);
        var (status, page) = await root.GetAsync("/agents/limited");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("""name="replicas" min="1" max="3" value="3" required""", page, StringComparison.Ordinal);
    }
}
