using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Nodes;

/// <summary>The agent-nodes REST API against a real in-process hub: validation, 401/404/409, round trips.</summary>
public sealed class NodeRestApiTests : IAsyncLifetime
{
    private TestHub _hub = null!;

    public async Task InitializeAsync() => _hub = await TestHub.StartAsync();

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _hub.Directory.Dispose();
    }

    [Fact]
    public async Task Register_Get_Put_List_RoundTrip()
    {
        var created = await _hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes", new
        {
            id = "gpu-01",
            name = "GPU 01",
            grpc_target = "https://gpu-01.example.com:50061",
            tls_server_name = "gpu-01.example.com",
            default_worktree_root = "/data/mesh/worktrees",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var node = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("pending", node.GetProperty("status").GetString());
        Assert.Equal("https://gpu-01.example.com:50061", node.GetProperty("grpc_target").GetString());

        var put = await _hub.Admin.PutAsJsonAsync("/api/admin/agent-nodes/gpu-01", new { name = "GPU one", labels = new Dictionary<string, string> { ["zone"] = "eu-1" } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var got = JsonDocument.Parse(await _hub.Admin.GetStringAsync("/api/admin/agent-nodes/gpu-01")).RootElement;
        Assert.Equal("GPU one", got.GetProperty("name").GetString());
        Assert.Equal("eu-1", got.GetProperty("labels").GetProperty("zone").GetString());
        Assert.Equal(JsonValueKind.Null, got.GetProperty("grpc_target").ValueKind); // PUT replaces the settable fields

        var list = JsonDocument.Parse(await _hub.Admin.GetStringAsync("/api/admin/agent-nodes")).RootElement;
        Assert.Equal(1, list.GetProperty("stats").GetProperty("pending").GetInt32());
        Assert.Equal("gpu-01", list.GetProperty("nodes")[0].GetProperty("id").GetString());
        Assert.Contains("node.registered", await _hub.Admin.GetStringAsync("/api/admin/audit"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"no id"}""", "id", "is required")]
    [InlineData("""{"id":"a"}""", "id", "2 to 64 characters")]
    [InlineData("""{"id":"bad id!"}""", "id", "contains ' '")]
    [InlineData("""{"id":"n1","grpc_target":"gpu:50061"}""", "grpc_target", "has no scheme")]
    [InlineData("""{"id":"n1","grpc_target":"http://gpu:50061"}""", "grpc_target", "uses http")]
    [InlineData("""{"id":"n1","grpc_target":"https://gpu"}""", "grpc_target", "has no port")]
    [InlineData("""{"id":"n1","grpc_target":"https://gpu:50061/path"}""", "grpc_target", "has a path")]
    [InlineData("""{"id":"n1","tls_server_name":"bad name"}""", "tls_server_name", "is not a DNS name")]
    [InlineData("""{"id":"n1","default_worktree_root":"relative/dir"}""", "default_worktree_root", "is relative")]
    [InlineData("""{"id":"n1","default_worktree_root":"/a/../etc"}""", "default_worktree_root", "'..'")]
    [InlineData("""{"id":"n1","name":""}""", "name", "1-128 characters")]
    [InlineData("""{"id":"n1","labels":{"bad key":"x"}}""", "labels.bad key", "label keys")]
    [InlineData("""{"id":"n1","colour":"red"}""", "colour", "colour")]
    [InlineData("""{"id":42}""", "id", "could not be converted")]
    [InlineData("""not json""", "body", "invalid")]
    public async Task Register_InvalidField_400WithProblemNamingTheField(string json, string field, string fragment)
    {
        var response = await _hub.Admin.PostAsync("/api/admin/agent-nodes", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"no error for '{field}': {errors}");
        Assert.Contains(fragment, messages[0].GetString()!, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(JsonDocument.Parse(await _hub.Admin.GetStringAsync("/api/admin/agent-nodes")).RootElement.GetProperty("nodes").EnumerateArray());
    }

    [Fact]
    public async Task Register_Duplicate_409_UnknownNode_404()
    {
        Assert.Equal(HttpStatusCode.Created, (await _hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes", new { id = "dup" })).StatusCode);
        var again = await _hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes", new { id = "dup" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already exists", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await _hub.Admin.GetAsync("/api/admin/agent-nodes/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _hub.Admin.PutAsJsonAsync("/api/admin/agent-nodes/nope", new { name = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _hub.Admin.GetAsync("/api/admin/agent-nodes/nope/health")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _hub.Admin.DeleteAsync("/api/admin/agent-nodes/nope")).StatusCode);
        var mismatch = await _hub.Admin.PutAsJsonAsync("/api/admin/agent-nodes/dup", new { id = "other" });
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task WithoutValidBearer_401(string? authorization)
    {
        using var client = new HttpClient { BaseAddress = _hub.WebUrl };
        if (authorization is not null)
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        foreach (var path in new[] { "/api/admin/agent-nodes", "/api/admin/agent-nodes/x", "/api/cluster/best-node", "/api/cluster/stream" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(path)).StatusCode);
        var post = await client.PostAsJsonAsync("/api/admin/agent-nodes", new { id = "sneaky" });
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _hub.Admin.GetAsync("/api/admin/agent-nodes/sneaky")).StatusCode);
    }

    [Fact]
    public async Task BestNode_NoneOnline_404_BadCapability_400()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _hub.Admin.GetAsync("/api/cluster/best-node?capabilities=gpu")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _hub.Admin.GetAsync("/api/cluster/best-node?capabilities=gp%20u")).StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_ListsTheNodeEndpoints()
    {
        using var anonymous = new HttpClient { BaseAddress = _hub.WebUrl };
        var document = await anonymous.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/admin/agent-nodes/{id}", document, StringComparison.Ordinal);
        Assert.Contains("/api/cluster/best-node", document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_SendsCurrentNodesThenChanges()
    {
        Assert.Equal(HttpStatusCode.Created, (await _hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes", new { id = "first" })).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/cluster/stream");
        using var response = await _hub.Admin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        Assert.Contains("\"id\":\"first\"", await ReadEventAsync(reader, timeout.Token), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, (await _hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes", new { id = "second", name = "<script>x</script>" })).StatusCode);
        var second = await ReadEventAsync(reader, timeout.Token);
        Assert.Contains("\"id\":\"second\"", second, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"pending\"", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThousandStreamClients_ConnectAndDisconnect_HubStaysHealthy()
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1000 };
        using var client = new HttpClient(handler) { BaseAddress = _hub.WebUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestHub.ApiToken);
        var feed = (Mesh.Hub.Nodes.NodesFeed)_hub.Services.GetService(typeof(Mesh.Hub.Nodes.NodesFeed))!;
        for (var round = 0; round < 2; round++)
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ =>
                client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/cluster/stream"), HttpCompletionOption.ResponseHeadersRead)));
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.Equal(1000, feed.SubscriberCount);
            foreach (var response in responses)
                response.Dispose();
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (feed.SubscriberCount > 0 && DateTime.UtcNow < deadline)
                await Task.Delay(100);
            Assert.Equal(0, feed.SubscriberCount);
        }

        Assert.Equal(HttpStatusCode.OK, (await _hub.Admin.GetAsync("/api/admin/agent-nodes")).StatusCode);
    }

    private static async Task<string> ReadEventAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var data = new StringBuilder();
        var skip = false;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0 && data.Length > 0)
                return data.ToString();
            if (line.StartsWith("event: stats", StringComparison.Ordinal))
                skip = true;
            if (line.Length == 0)
                skip = false;
            if (!skip && line.StartsWith("data: ", StringComparison.Ordinal))
                data.Append(line["data: ".Length..]);
        }

        throw new EndOfStreamException("the stream ended");
    }
}
