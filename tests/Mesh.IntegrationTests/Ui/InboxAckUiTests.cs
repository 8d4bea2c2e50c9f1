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

        // Filters over the rows shown: status and channel (offered from the rows), kept in the address, applied to live rows.
        var onCi = await SendAsync(hub, "on ci", "ci");
        await page.GotoAsync("/mailboxes/acker?status=pending");
        await Expect(page.Locator($"#msg-{id}")).ToBeHiddenAsync();
        await Expect(page.Locator($"#msg-{onCi}")).ToBeVisibleAsync();
        await page.SelectOptionAsync("#inbox-channel-filter", "ci");
        Assert.EndsWith("/mailboxes/acker?status=pending&channel=ci", page.Url, StringComparison.Ordinal);
        await Expect(page.Locator("#inbox-filter-count")).ToHaveTextAsync("1 of 2 shown");
        Assert.Equal(["acker"], (await page.Locator("#inbox-from-filter option").AllTextContentsAsync()).Skip(1));
        var liveCi = await SendAsync(hub, "live on ci", "ci");
        var liveDefault = await SendAsync(hub, "live on default", null);
        await Expect(page.Locator($"#msg-{liveCi}")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Expect(page.Locator($"#msg-{liveDefault}")).ToBeHiddenAsync(new() { Timeout = 20_000 });
        await Expect(page.Locator("#inbox-filter-count")).ToHaveTextAsync("2 of 4 shown");

        // An ack under the pending filter: the row turns delivered and the filter hides it.
        await page.SelectOptionAsync("#inbox-channel-filter", "");
        await page.ClickAsync($"#ack-{onCi}");
        await Expect(page.Locator($"#msg-{onCi}[data-status=delivered]")).ToHaveCountAsync(1);
        await Expect(page.Locator($"#msg-{onCi}")).ToBeHiddenAsync();
        await page.SelectOptionAsync("#inbox-status-filter", "");
        await Expect(page.Locator("#inbox-filter-count")).ToHaveTextAsync("");
        Assert.EndsWith("/mailboxes/acker", page.Url, StringComparison.Ordinal);
        foreach (var message in new[] { liveCi, liveDefault })
        {
            await page.ClickAsync($"#ack-{message}");
            await Expect(page.Locator($"#msg-{message}[data-status=delivered]")).ToHaveCountAsync(1);
        }

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

    private static async Task<ulong> SendAsync(HubUnderTest hub, string text, string? channel)
    {
        string[] args = ["--json", "--actor-id", "acker", "send", "--to-actor-id", "acker", "--text", text, .. channel is null ? Array.Empty<string>() : ["--channel", channel]];
        var sent = await ActorCommand.RunAsync(hub, args);
        Assert.True(sent.ExitCode == 0, sent.ToString());
        using var json = JsonDocument.Parse(sent.Stdout);
        return json.RootElement.GetProperty("message_ids")[0].GetUInt64();
    }
}
