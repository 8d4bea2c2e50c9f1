using Mesh.IntegrationTests.Support;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>Actor placement checked against the node registry, in a real browser against a real hub and node.</summary>
public sealed class ActorPlacementUiTests
{
    [Fact]
    public async Task CreateActor_UnknownNodeRefusedOnTheField_NodePageListsPlacedActors_RemovedNodeFlagged()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (_, page) = await browser.OpenPageAsync(hub.WebUrl, consoleErrors);
        await HubUnderTest.LoginAsync(page, "root", hub.RootPassword);
        await hub.JoinNodeFromPageAsync(page, "place-1");

        // A node nobody registered: 400, the error on the placement field names it, nothing is created.
        await page.GotoAsync("/mailboxes");
        await page.FillAsync("#new-actor-id", "builder-1");
        await page.FillAsync("#new-actor-placement", "no-such-node");
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#create-actor-submit"), r => r.Request.Method == "POST");
        Assert.Equal(400, refused.Status);
        await Browser.ForgetExpectedErrorAsync(consoleErrors, "status of 400"); // the 400 it was meant to get
        await Expect(page.Locator("#new-actor-placement-error")).ToContainTextAsync("no node 'no-such-node' is registered on this hub");
        Assert.Equal(0, await page.Locator("#actor-row-builder-1").CountAsync());
        await Browser.ScreenshotAsync(page, "placement-01-unknown-node");

        // A real node: created, and listed on that node's page.
        await page.FillAsync("#new-actor-placement", "place-1");
        await page.ClickAsync("#create-actor-submit");
        await Expect(page.Locator("#actor-row-builder-1")).ToContainTextAsync("place-1");
        await page.GotoAsync("/nodes/place-1");
        await Expect(page.Locator("#node-actor-builder-1")).ToContainTextAsync("builder-1");

        // The node is removed: its actor is flagged on the Mailboxes page.
        await page.CheckAsync("#remove-confirm");
        await page.ClickAsync("#remove-node");
        await page.WaitForSelectorAsync("#node-status .status-revoked");
        await page.GotoAsync("/mailboxes");
        await Expect(page.Locator("#placement-revoked-builder-1")).ToContainTextAsync("node removed");
        await Browser.ScreenshotAsync(page, "placement-02-node-removed");
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }
}
