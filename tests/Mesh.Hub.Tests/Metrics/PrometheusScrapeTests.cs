using System.Diagnostics;
using System.Net.Http.Json;
using Mesh.Core.Tests;
using Mesh.Hub.Access;
using Mesh.Hub.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Hub.Tests.Metrics;

/// <summary>A real Prometheus scrapes a real hub with a viewer token and evaluates deploy/prometheus's rules on what it got.</summary>
/// <remarks>
/// Alone: OpenTelemetry's meter provider listens to every meter named Mesh.Hub in the process, so with other test
/// hubs alive its gauges would merge theirs (seen as mesh_nodes{status="pending"} reading another hub's 0). A hub
/// process has one hub, so production is not affected; the test runs after the parallel ones, with no other hub.
/// </remarks>
[Collection(SoloCollection.Name)]
public sealed class PrometheusScrapeTests
{
    private static string RulesFile => Path.Combine(RepositoryPaths.Root, "deploy", "prometheus", "mesh-alerts.rules.yml");

    [Fact]
    public async Task Prometheus_ScrapesHubWithViewerToken_SeesMeshSeries_AndEvaluatesTheExampleRules()
    {
        await using var hub = await TestHub.StartAsync();
        var (_, viewerToken) = await hub.Services.GetRequiredService<ApiTokens>().CreateAsync("prometheus", "viewer", ApiTokens.DefaultLifetime, "root", null, CancellationToken.None);
        var registered = await hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes", new { id = "gpu-01" });
        Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());

        await using var prometheus = await PrometheusServer.StartAsync(hub.WebUrl, viewerToken, RulesFile);
        var up = await prometheus.QueryUntilAsync("up{job=\"mesh-hub\"}", r => r.GetArrayLength() == 1 && Value(r[0]) == "1");
        Assert.Equal(hub.WebUrl.Authority, up[0].GetProperty("metric").GetProperty("instance").GetString());
        await prometheus.QueryUntilAsync("mesh_nodes{status=\"pending\"}", r => r.GetArrayLength() == 1 && Value(r[0]) == "1");
        await prometheus.QueryUntilAsync("mesh_mailbox_messages_pending", r => r.GetArrayLength() == 1 && Value(r[0]) == "0");

        // Every example rule loaded and evaluated against the scraped series without an error.
        var rules = (await prometheus.GetDataAsync("/api/v1/rules")).GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
        Assert.Equal(9, rules.Count);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (rules.Any(r => r.GetProperty("health").GetString() != "ok") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            rules = (await prometheus.GetDataAsync("/api/v1/rules")).GetProperty("groups").EnumerateArray()
                .SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
        }

        Assert.All(rules, r => Assert.True(r.GetProperty("health").GetString() == "ok", r.ToString()));
    }

    [Fact]
    public async Task Prometheus_WithoutAToken_SeesTheHubDown()
    {
        await using var hub = await TestHub.StartAsync();
        await using var prometheus = await PrometheusServer.StartAsync(hub.WebUrl, "meshapi_wrong_token");
        var up = await prometheus.QueryUntilAsync("up{job=\"mesh-hub\"}", r => r.GetArrayLength() == 1);
        Assert.Equal("0", Value(up[0]));
        // The reason of the last scrape: on a loaded machine a first scrape may have failed otherwise; the next says 401.
        var lastError = "";
        for (var attempt = 0; attempt < 60 && !lastError.Contains("401", StringComparison.Ordinal); attempt++)
        {
            if (attempt > 0)
                await Task.Delay(500);
            var targets = (await prometheus.GetDataAsync("/api/v1/targets")).GetProperty("activeTargets");
            lastError = targets[0].GetProperty("lastError").GetString() ?? "";
        }

        Assert.Contains("401", lastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExampleRules_PassPromtoolCheck()
    {
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/promtool", ["check", "rules", RulesFile])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, output);
        Assert.Contains("SUCCESS: 9 rules found", output, StringComparison.Ordinal);
    }

    private static string Value(System.Text.Json.JsonElement sample) => sample.GetProperty("value")[1].GetString()!;
}
