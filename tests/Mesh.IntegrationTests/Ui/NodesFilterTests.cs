using Mesh.IntegrationTests.Support;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>The nodes table's search, filters, clickable counts and sorting, against a real hub and a real node.</summary>
public sealed class NodesFilterTests
{
    [Fact]
    public async Task NodesTable_SearchStatusCapabilityFilters_CountsFilterWhenClicked_ZeroCountsNeutral_Sort()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (_, page) = await browser.OpenPageAsync(hub.WebUrl, consoleErrors);
        await HubUnderTest.LoginAsync(page, "root", hub.RootPassword);
        await page.GotoAsync("/join");
        await page.FillAsync("#node_id", "gpu-node");
        await page.ClickAsync("#create-token");
        await hub.StartNodeAsync("gpu-node", (await page.TextContentAsync("#node-config"))! + "\n[node]\ncapabilities = [\"gpu\"]\n");

        // "Register a node" sits behind a button; two pending nodes.
        await page.GotoAsync("/");
        Assert.False(await page.IsVisibleAsync("#reg-id"));
        foreach (var id in new[] { "reg-01", "reg-02" })
        {
            if (!await page.IsVisibleAsync("#reg-id"))
                await page.ClickAsync("#register-details summary");
            await page.FillAsync("#reg-id", id);
            await page.ClickAsync("#register button[type=submit]");
            await page.WaitForSelectorAsync($"#node-{id}[data-status=pending]");
        }

        await page.WaitForSelectorAsync("#node-gpu-node[data-status=online]", new() { Timeout = 30_000 });
        var visible = page.Locator("#nodes-body tr[id^='node-']:visible");
        await Expect(visible).ToHaveCountAsync(4);
        await Expect(page.Locator("#stat-degraded")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bzero\b"));
        Assert.Equal("rgb(87, 96, 106)", await page.Locator("#stat-degraded .value").EvaluateAsync<string>("e => getComputedStyle(e).color")); // muted, not amber

        // A count filters when clicked (and again clears); the address keeps the filter.
        await page.ClickAsync("#stat-pending");
        await Expect(visible).ToHaveCountAsync(2);
        Assert.EndsWith("/?status=pending", page.Url, StringComparison.Ordinal);
        await Expect(page.Locator("#node-filter-count")).ToHaveTextAsync("2 of 4 shown");
        await page.ClickAsync("#stat-pending");
        await Expect(visible).ToHaveCountAsync(4);

        await page.FillAsync("#node-search", "reg-02");
        await Expect(visible).ToHaveCountAsync(1);
        await Expect(visible).ToHaveIdAsync("node-reg-02");
        await page.FillAsync("#node-search", "");
        await page.SelectOptionAsync("#node-capability-filter", "gpu");
        await Expect(visible).ToHaveCountAsync(1);
        await Expect(visible).ToHaveIdAsync("node-gpu-node");

        // The filter holds across live updates (heartbeats replace the rows) and a reload.
        await page.WaitForTimeoutAsync(5000);
        await Expect(visible).ToHaveCountAsync(1);
        await page.ReloadAsync();
        await Expect(visible).ToHaveCountAsync(1);
        await page.SelectOptionAsync("#node-capability-filter", "");

        // Sorting by node, descending on the second click.
        await page.ClickAsync("#nodes th button.sort:text('Node')");
        await page.ClickAsync("#nodes th button.sort:text('Node')");
        Assert.Equal(["reg-02", "reg-01", "main", "gpu-node"], await page.Locator("#nodes-body tr[id^='node-']").EvaluateAllAsync<string[]>("rows => rows.map(r => r.id.substring(5))"));
        await Browser.ScreenshotAsync(page, "nodes-filters");
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }
}
