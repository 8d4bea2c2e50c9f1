using Mesh.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>The Join page as a new operator meets it, against a real hub process and a real node process.</summary>
public sealed class JoinFlowTests
{
    private static readonly LocatorAssertionsToContainTextOptions Live = new() { Timeout = 30_000 };

    [Fact]
    public async Task JoinPage_LoopbackWarning_PostRedirectGet_WaitingPanelTurnsJoinedWhenTheNodeComesOnline()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (_, page) = await browser.OpenPageAsync(hub.WebUrl, consoleErrors);
        await HubUnderTest.LoginAsync(page, "root", hub.RootPassword);

        // Before any token: the hub's gRPC listens on 127.0.0.1, and the page says so with the exact fix.
        await page.GotoAsync("/join");
        var warning = page.Locator("p.warning", new() { HasText = "loopback only" });
        await Expect(warning).ToContainTextAsync("[internal_grpc] listen = \"0.0.0.0:" + new Uri(hub.GrpcUrl).Port + "\"");
        await Expect(warning).ToContainTextAsync("advertise = [");

        // Create a token for node-7: the post redirects to a GET that shows it (a reload re-posts nothing).
        await page.FillAsync("#node_id", "node-7");
        await page.ClickAsync("#create-token");
        await page.WaitForURLAsync(url => url.Contains("/join?created=", StringComparison.Ordinal));
        var token = (await page.TextContentAsync("#token-value"))!.Trim();
        var snippet = (await page.TextContentAsync("#node-config"))!;
        Assert.Contains("node_id = \"node-7\"", snippet, StringComparison.Ordinal);
        Assert.Contains("data_dir = \"mesh-data\"", snippet, StringComparison.Ordinal);
        Assert.Contains($"target = \"{hub.GrpcUrl}\"", snippet, StringComparison.Ordinal);
        Assert.Contains("--node-id node-7", await page.TextContentAsync("#install-command"), StringComparison.Ordinal);
        await Expect(page.Locator("#join-progress [data-state=waiting]")).ToContainTextAsync("Waiting for your node", Live);
        var response = await page.ReloadAsync();
        Assert.Equal("GET", response!.Request.Method);
        Assert.Equal(token, (await page.TextContentAsync("#token-value"))!.Trim());
        await Expect(page.Locator("table tbody tr[id^=token-]", new() { HasText = "node-7" })).ToHaveCountAsync(1); // one token, not one per load
        await Browser.ScreenshotAsync(page, "join-01-waiting");
        await page.EvaluateAsync("() => { window.meshNoReload = true; }");

        // A real node with that configuration: the open panel turns into "joined" without a reload.
        await hub.StartNodeAsync("node-7", snippet);
        await Expect(page.Locator("#join-progress [data-state=joined]")).ToContainTextAsync("Joined ✓ node-7 online", Live);
        Assert.True(await page.EvaluateAsync<bool>("() => window.meshNoReload === true"));
        await Browser.ScreenshotAsync(page, "join-02-joined");

        // A token id whose secret this operator is not holding (another operator's, or shown long ago): no secret, a note.
        await page.GotoAsync("/join?created=not-a-token");
        await Expect(page.Locator("#token-gone")).ToContainTextAsync("no longer shown");
        Assert.Equal(0, await page.Locator("#token-value").CountAsync());
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }
}
