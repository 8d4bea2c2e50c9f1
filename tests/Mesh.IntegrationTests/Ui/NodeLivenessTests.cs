using System.Text.RegularExpressions;
using Mesh.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>Heartbeats, relative times and the live node page, against real hub and node processes.</summary>
public sealed partial class NodeLivenessTests
{
    private static readonly LocatorAssertionsToContainTextOptions Live = new() { Timeout = 30_000 };

    [Fact]
    public async Task NodesAndNodePage_HeartbeatTicksWithIsoTitle_NodePageLive_OfflineSince_RevokedHasNoTestOrEdit()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (_, page) = await browser.OpenPageAsync(hub.WebUrl, consoleErrors);
        await HubUnderTest.LoginAsync(page, "root", hub.RootPassword);
        var node = await hub.JoinNodeFromPageAsync(page, "live-1");

        // Nodes page: the heartbeat time carries the absolute ISO 8601 UTC time in its title and ticks in the browser.
        await page.GotoAsync("/");
        var beat = page.Locator("#node-live-1[data-status=online] time[data-ago]");
        await Expect(beat).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        Assert.Matches(IsoUtc(), await beat.GetAttributeAsync("title"));
        Assert.Matches(@"^\d+ s ago$", await beat.TextContentAsync());

        // Node page: status, facts and chart arrive live; the heartbeat is pushed as it comes (under 6 s old, never the old 10 s).
        await page.ClickAsync("#node-live-1 a");
        await page.WaitForSelectorAsync("h1:has-text('live-1')");
        await page.EvaluateAsync("() => { window.meshNoReload = true; }");
        var factsBeat = page.Locator("#node-heartbeat time[data-ago]");
        var first = await factsBeat.GetAttributeAsync("datetime");
        await Expect(factsBeat).Not.ToHaveAttributeAsync("datetime", first!, new() { Timeout = 15_000 });
        for (var i = 0; i < 3; i++)
        {
            var age = int.Parse(SecondsAgo().Match((await factsBeat.TextContentAsync())!).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(age <= 6, $"heartbeat shown {age} s old");
            await Task.Delay(2000);
        }

        await Expect(page.Locator("#node-facts")).ToContainTextAsync("processes");
        Assert.Equal(1, await page.Locator("#test-connection").CountAsync());
        await Browser.ScreenshotAsync(page, "node-live-01-online");

        // The node stops: the open page turns offline by itself and says since when.
        node.Terminate();
        await Expect(page.Locator("#node-status")).ToContainTextAsync("offline", Live);
        await Expect(page.Locator("#node-facts")).ToContainTextAsync("offline since", Live);
        Assert.True(await page.EvaluateAsync<bool>("() => window.meshNoReload === true"));
        Assert.Equal(0, await page.Locator("#node-heartbeat time[data-ago]").CountAsync());

        // Removed: no ticking heartbeat, no Test connection, no Edit.
        await page.CheckAsync("#remove-confirm");
        await page.ClickAsync("#remove-node");
        await page.WaitForSelectorAsync("#node-status .status-revoked");
        Assert.Equal(0, await page.Locator("#test-connection").CountAsync());
        Assert.Equal(0, await page.Locator("#edit-card").CountAsync());
        Assert.Equal(0, await page.Locator("#node-heartbeat time[data-ago]").CountAsync());
        await Expect(page.Locator("#node-facts")).ToContainTextAsync("removed");
        await page.GotoAsync("/");
        await Expect(page.Locator("#node-live-1")).ToContainTextAsync("removed");
        Assert.Equal(0, await page.Locator("#node-live-1 time[data-ago]").CountAsync());
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")]
    private static partial Regex IsoUtc();

    [GeneratedRegex(@"^(\d+) s ago$")]
    private static partial Regex SecondsAgo();
}
