using System.Net;
using System.Net.Http.Headers;
using Mesh.Core.Configuration;
using Mesh.Core.Tests;
using Mesh.Hub.Access;
using Mesh.Hub.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Hub.Tests.Metrics;

/// <summary>/metrics on the web listener: who may scrape it under [metrics] require_auth, and the key's checks.</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_RequireAuthByDefault_AnonymousAndWrongTokenAre401_ViewerAndRootRead()
    {
        await using var hub = await TestHub.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = hub.WebUrl };
        var refused = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain("mesh_", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var wrong = Client(hub, TestHub.ApiToken[..^3] + "abc");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/metrics")).StatusCode);

        var (_, viewerToken) = await hub.Services.GetRequiredService<ApiTokens>().CreateAsync("prometheus", "viewer", ApiTokens.DefaultLifetime, "root", null, CancellationToken.None);
        using var viewer = Client(hub, viewerToken);
        var scraped = await viewer.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.StartsWith("text/plain", scraped.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var text = new PrometheusText(await scraped.Content.ReadAsStringAsync());
        Assert.True(text.Has("mesh_nodes", "status=online"), text.Text);

        Assert.Equal(HttpStatusCode.OK, (await hub.Admin.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Metrics_ARevokedViewerToken_Is401_TheScraperAlone()
    {
        await using var hub = await TestHub.StartAsync();
        var tokens = hub.Services.GetRequiredService<ApiTokens>();
        var (scraper, scraperSecret) = await tokens.CreateAsync("prometheus", "viewer", ApiTokens.DefaultLifetime, "root", null, CancellationToken.None);
        var (_, otherSecret) = await tokens.CreateAsync("grafana", "viewer", ApiTokens.DefaultLifetime, "root", null, CancellationToken.None);
        using var revoked = Client(hub, scraperSecret);
        using var other = Client(hub, otherSecret);
        Assert.Equal(HttpStatusCode.OK, (await revoked.GetAsync("/metrics")).StatusCode);

        Assert.True(await tokens.RevokeAsync(scraper.Id, "root", null, CancellationToken.None));

        var refused = await revoked.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain("mesh_", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Metrics_RequireAuthFalse_AnonymousScrapeIs200()
    {
        await using var hub = await TestHub.StartAsync(extraToml: "[metrics]\nrequire_auth = false");
        using var anonymous = new HttpClient { BaseAddress = hub.WebUrl };
        var scraped = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("mesh_mailbox_messages_pending", await scraped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_Disabled_Is404EvenForRoot()
    {
        await using var hub = await TestHub.StartAsync(extraToml: "[metrics]\nenabled = false");
        Assert.Equal(HttpStatusCode.NotFound, (await hub.Admin.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public void MetricsKeys_WrongType_FailsWithFileLineAndColumn()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("hub.toml", "[server]\nrole = \"hub\"\n[metrics]\nrequire_auth = \"no\"\nenabled = 1\n");
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, new Dictionary<string, string?>()));
        Assert.Contains($"{path}(4,16): error: metrics.require_auth:", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{path}(5,11): error: metrics.enabled:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MetricsKeys_EnvironmentOverride_TurnsAuthOff()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("hub.toml", "[server]\nrole = \"hub\"\n");
        Assert.True(ConfigLoader.Load(path, new Dictionary<string, string?>()).Metrics.RequireAuth);
        var config = ConfigLoader.Load(path, new Dictionary<string, string?> { ["MESH_METRICS__REQUIRE_AUTH"] = "false" });
        Assert.False(config.Metrics.RequireAuth);
        Assert.True(config.Metrics.Enabled);
    }

    private static HttpClient Client(TestHub hub, string token)
    {
        var client = new HttpClient { BaseAddress = hub.WebUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
