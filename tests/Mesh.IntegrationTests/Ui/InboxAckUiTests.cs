using System.Text.Json;
using Mesh.IntegrationTests.Support;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>Acknowledging a message from the inbox page, against a real hub process and the real actor CLI.</summary>
public sealed class InboxAckUiTests
{
    [Fact]
    public async Task InboxPage_AckButton_MarksDelivered_CountDrops_ActorSeesItAcked_ViewerHasNoButton()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (_, page) = await browser.OpenPageAsync(hub.WebUrl, consoleErrors);
        await HubUnderTest.LoginAsync(page, "root", hub.RootPassword);
        await page.GotoAsync("/mailboxes");
        await page.FillAsync("#new-actor-id", "acker");
        await page.ClickAsync("#create-actor-submit");
        await page.WaitForSelectorAsync("#actor-row-acker");
        var sent = await ActorCommand.RunAsync(hub, "--json", "--actor-id", "acker", "send", "--to-actor-id", "acker", "--text", "please ack me");
        Assert.True(sent.ExitCode == 0, sent.ToString());
        using var json = JsonDocument.Parse(sent.Stdout);
        var id = json.RootElement.GetProperty("message_ids")[0].GetUInt64();

        await page.GotoAsync("/mailboxes/acker");
        await Expect(page.Locator($"#msg-{id}[data-status=pending]")).ToHaveCountAsync(1);
        await page.ClickAsync($"#ack-{id}");
        await Expect(page.Locator($"#msg-{id}[data-status=delivered]")).ToHaveCountAsync(1);
        Assert.Equal(0, await page.Locator($"#ack-{id}").CountAsync());
        var inbox = await ActorCommand.RunAsync(hub, "--json", "--actor-id", "acker", "inbox");
        Assert.Equal(0, JsonDocument.Parse(inbox.Stdout).RootElement.GetProperty("pending_count").GetInt64());
        await page.GotoAsync("/audit");
        await Expect(page.Locator("#audit")).ToContainTextAsync("message.acked");

        // A viewer sees the inbox without the button, and a forged ack is refused.
        await ActorCommand.RunAsync(hub, "--json", "--actor-id", "acker", "send", "--to-actor-id", "acker", "--text", "second");
        await HubUnderTest.CreateViewerAsync(page, "watcher", "watcher-password-123");
        var viewerContext = await browser.Instance.NewContextAsync(new Microsoft.Playwright.BrowserNewContextOptions { BaseURL = hub.WebUrl.ToString() });
        var viewer = await viewerContext.NewPageAsync();
        await HubUnderTest.LoginAsync(viewer, "watcher", "watcher-password-123");
        await viewer.GotoAsync("/mailboxes/acker");
        await Expect(viewer.Locator("#inbox-body tr[data-status=pending] button.ack")).ToBeHiddenAsync();
        var token = await viewer.EvaluateAsync<string>("() => JSON.parse(document.body.getAttribute('hx-headers')).RequestVerificationToken");
        var forged = await viewerContext.APIRequest.PostAsync($"/mailboxes/acker?handler=Ack&id={id + 1}", new() { Headers = new Dictionary<string, string> { ["RequestVerificationToken"] = token } });
        Assert.Equal(403, forged.Status);
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }
}
