using Mesh.Hub.Tests.Metrics;
using Mesh.IntegrationTests.Support;

namespace Mesh.IntegrationTests.Agents;

/// <summary>
/// A real `mesh run` hub with its embedded node: the node runs in the hub's process with no listener of its own, so its
/// instruments (<c>Mesh.Node</c>) are on the hub's /metrics next to the hub's.
/// </summary>
public sealed class EmbeddedNodeMetricsTests
{
    [Fact]
    public async Task The_hubs_metrics_carry_its_embedded_nodes_instruments()
    {
        await using var hub = await HubUnderTest.StartAsync("""
            [metrics]
            require_auth = false
            """);
        using var http = new HttpClient { BaseAddress = hub.WebUrl };

        var deadline = DateTime.UtcNow.AddSeconds(60);
        PrometheusText scraped;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "the embedded node's session never showed on the hub's /metrics");
            await Task.Delay(200);
            scraped = new PrometheusText(await http.GetStringAsync("/metrics"));
        }
        while (scraped.Sum("mesh_node_session_attached") < 1);

        Assert.Equal(1, scraped.Sum("mesh_node_session_attached"));
        Assert.True(scraped.Has("mesh_node_session_attached", "otel_scope_name=Mesh.Node"), scraped.Text);
        // The hub's own view of the same node, from its registry, on the same page.
        Assert.Equal(1, scraped.Sum("mesh_node_sessions"));
    }
}
