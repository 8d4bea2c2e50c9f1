using System.Net;
using System.Net.Http.Headers;
using Mesh.Core.Configuration;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Metrics;
using Mesh.Hub.Tests.Support;

namespace Mesh.Node.Tests.Metrics;

/// <summary>
/// [metrics] node_listen on a real node process joined to a real hub: /metrics in the Prometheus text format over
/// HTTP/1.1, the node_token required while require_auth, nothing else served there and /metrics nowhere else.
/// </summary>
public sealed class NodeMetricsEndpointTests
{
    private const string Token = "Node-metrics-scrape-token-0123456789-abcdef";

    [Fact]
    public async Task NodeProcess_Metrics_RefusesNoOrWrongToken_ServesNodeInstrumentsToTheToken()
    {
        await using var hub = await TestHub.StartAsync(mode: "mtls");
        await using var node = await StartNodeAsync(hub, "metered", $"[metrics]\nnode_listen = \"127.0.0.1:0\"\nnode_token = \"{Token}\"\n[node]\nlocal_listen = \"127.0.0.1:0\"");

        using var anonymous = new HttpClient();
        var refused = await anonymous.GetAsync(node.Metrics);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
        Assert.DoesNotContain("mesh_", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var wrong = Client(Token[..^3] + "xyz");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(node.Metrics)).StatusCode);

        using var scraper = Client(Token);
        var text = await ScrapeUntilAsync(scraper, node.Metrics, t => t.Sum("mesh_node_heartbeat_send_lag_seconds_count") >= 1);
        Assert.Equal(1, text.Sum("mesh_node_session_attached"));
        Assert.Equal(0, text.Sum("mesh_node_session_losses_total"));
        Assert.InRange(text.Sum("mesh_node_heartbeat_send_lag_seconds_sum"), 0, 4);
        Assert.Equal(0, text.Sum("mesh_node_outbox_messages", "state=pending"));
        Assert.Equal(0, text.Sum("mesh_node_outbox_messages", "state=failed"));
        Assert.True(text.Sum("mesh_node_disk_free_bytes", "path=data_dir") > 0, text.Text);
        Assert.True(text.Sum("mesh_node_disk_used_bytes", "path=data_dir") > 0, text.Text);
        Assert.True(text.Has("target_info", "service_name=mesh-node"), text.Text);
        Assert.False(text.Has("mesh_nodes"), "the node exports its own meter only");
    }

    [Fact]
    public async Task NodeProcess_MetricsListener_ServesOnlyGetMetrics_AndOtherListenersNeverServeMetrics()
    {
        await using var hub = await TestHub.StartAsync(mode: "mtls");
        await using var node = await StartNodeAsync(hub, "narrow",
            $"[metrics]\nnode_listen = \"127.0.0.1:0\"\nnode_token = \"{Token}\"\n[internal_grpc]\nhealth_listen = \"127.0.0.1:0\"\n[node]\nlocal_listen = \"127.0.0.1:0\"");
        using var scraper = Client(Token);

        Assert.Equal(HttpStatusCode.NotFound, (await scraper.GetAsync(new Uri(node.Metrics, "/grpc.health.v1.Health/Check"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await scraper.GetAsync(new Uri(node.Metrics, "/"))).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await scraper.PostAsync(node.Metrics, new StringContent(""))).StatusCode);

        // The local endpoint and the health listener are h2c: asked for /metrics with the token they answer 404.
        foreach (var prefix in new[] { "mesh node local endpoint: ", "mesh node health: " })
        {
            var line = node.Process.StandardOutput.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
            var listener = new Uri(line[prefix.Length..].Split(' ')[0]);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(listener, "/metrics"))
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            Assert.Equal(HttpStatusCode.NotFound, (await scraper.SendAsync(request)).StatusCode);
        }
    }

    [Fact]
    public async Task NodeProcess_RequireAuthFalse_AnonymousScrapeIs200()
    {
        await using var hub = await TestHub.StartAsync(mode: "mtls");
        await using var node = await StartNodeAsync(hub, "open", "[metrics]\nnode_listen = \"127.0.0.1:0\"\nrequire_auth = false\n[node]\nlocal_listen = \"\"");
        using var anonymous = new HttpClient();
        var text = await ScrapeUntilAsync(anonymous, node.Metrics, t => t.Sum("mesh_node_session_attached") == 1);
        Assert.False(text.Has("mesh_node_outbox_messages"), "no local endpoint, no outbox");
    }

    [Fact]
    public async Task NodeProcess_MetricsOff_ByDefault_NoListener()
    {
        await using var hub = await TestHub.StartAsync(mode: "mtls");
        await using var node = await StartNodeAsync(hub, "quiet", "[node]\nlocal_listen = \"\"", metrics: false);
        Assert.DoesNotContain("mesh node metrics", node.Process.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prometheus_ScrapesTheNodeProcessWithItsToken_AndWithoutItSeesTheNodeDown()
    {
        await using var hub = await TestHub.StartAsync(mode: "mtls");
        await using var node = await StartNodeAsync(hub, "scraped", $"[metrics]\nnode_listen = \"127.0.0.1:0\"\nnode_token = \"{Token}\"\n[node]\nlocal_listen = \"\"");

        await using (var prometheus = await PrometheusServer.StartAsync("mesh-node", node.Metrics, Token))
        {
            await prometheus.QueryUntilAsync("up{job=\"mesh-node\"}", r => r.GetArrayLength() == 1 && Value(r[0]) == "1");
            await prometheus.QueryUntilAsync("mesh_node_session_attached{job=\"mesh-node\"}", r => r.GetArrayLength() == 1 && Value(r[0]) == "1");
            await prometheus.QueryUntilAsync("mesh_node_disk_free_bytes{path=\"data_dir\"}", r => r.GetArrayLength() == 1 && double.Parse(Value(r[0]), System.Globalization.CultureInfo.InvariantCulture) > 0);
        }

        await using var refused = await PrometheusServer.StartAsync("mesh-node", node.Metrics, "wrong-token");
        var up = await refused.QueryUntilAsync("up{job=\"mesh-node\"}", r => r.GetArrayLength() == 1);
        Assert.Equal("0", Value(up[0]));
        var targets = (await refused.GetDataAsync("/api/v1/targets")).GetProperty("activeTargets");
        Assert.Contains("401", targets[0].GetProperty("lastError").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void NodeListen_WithoutTokenWhileRequireAuth_FailsAtTheKey_AndAWeakTokenFailsAtItsOwn()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("node.toml", "[server]\nrole = \"node\"\nnode_id = \"n1\"\n[hub]\ntarget = \"https://hub:50051\"\n[metrics]\nnode_listen = \"0.0.0.0:9464\"\n");
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, new Dictionary<string, string?>()));
        Assert.Contains($"{path}(7,15): error: metrics.node_listen: a node's /metrics needs a scrape token while require_auth is true", error.Message, StringComparison.Ordinal);

        var weak = dir.Write("weak.toml", "[server]\nrole = \"node\"\nnode_id = \"n1\"\n[hub]\ntarget = \"https://hub:50051\"\n[metrics]\nnode_listen = \"0.0.0.0:9464\"\nnode_token = \"short\"\n");
        error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(weak, new Dictionary<string, string?>()));
        Assert.Contains($"{weak}(8,14): error: metrics.node_token: the node metrics token is too weak", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\"short\"", error.Message, StringComparison.Ordinal);

        var bad = dir.Write("bad.toml", "[server]\nrole = \"node\"\nnode_id = \"n1\"\n[hub]\ntarget = \"https://hub:50051\"\n[metrics]\nnode_listen = \"nowhere\"\nrequire_auth = false\n");
        error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(bad, new Dictionary<string, string?>()));
        Assert.Contains($"{bad}(7,15): error: metrics.node_listen:", error.Message, StringComparison.Ordinal);

        // One file for the hub and its nodes (deploy/kubernetes/mesh.toml): the hub ignores node_listen and needs no token.
        var hubFile = dir.Write("hub.toml", "[server]\nrole = \"hub\"\n[metrics]\nnode_listen = \"0.0.0.0:9464\"\n");
        Assert.Equal(MeshRole.Hub, ConfigLoader.Load(hubFile, new Dictionary<string, string?>()).Server.Role);
        error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(hubFile, new Dictionary<string, string?>(), forceRole: MeshRole.Node));
        Assert.Contains("metrics.node_listen: a node's /metrics needs a scrape token", error.Message, StringComparison.Ordinal);

        var fromEnvironment = ConfigLoader.Load(path, new Dictionary<string, string?> { ["MESH_METRICS__NODE_TOKEN"] = Token });
        Assert.Equal("0.0.0.0:9464", fromEnvironment.Metrics.NodeListen!.ToString());
        Assert.True(fromEnvironment.Metrics.NodeToken!.Matches(Token));
        Assert.Equal("(secret)", fromEnvironment.Metrics.NodeToken.ToString());
    }

    private static async Task<NodeUnderTest> StartNodeAsync(TestHub hub, string id, string extraToml, bool metrics = true)
    {
        hub.NodeConfig(id, await hub.CreateTokenAsync(), extraToml: extraToml);
        var process = MeshProcess.Start(["run", "--config", Path.Combine(hub.Directory.Path, $"node-{id}.toml")]);
        Uri? url = null;
        if (metrics)
        {
            var line = await process.WaitForLineAsync("mesh node metrics: ", TimeSpan.FromSeconds(60));
            url = new Uri(line["mesh node metrics: ".Length..].Split(' ')[0]);
        }

        await process.WaitForLineAsync("mesh node ready: ", TimeSpan.FromSeconds(60));
        return new NodeUnderTest(process, url!);
    }

    private static HttpClient Client(string token)
    {
        var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<PrometheusText> ScrapeUntilAsync(HttpClient client, Uri url, Func<PrometheusText, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            var text = new PrometheusText(await response.Content.ReadAsStringAsync());
            if (condition(text))
                return text;
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 30 s:\n" + text.Text);
            await Task.Delay(250);
        }
    }

    private static string Value(System.Text.Json.JsonElement sample) => sample.GetProperty("value")[1].GetString()!;

    private sealed record NodeUnderTest(MeshProcess Process, Uri Metrics) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }
}
