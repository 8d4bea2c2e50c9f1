using System.Text.Json;
using Mesh.IntegrationTests.Support;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>
/// The inbox page's details against a real hub process and the real actor CLI: the actor's time triggers listed with
/// their schedule and message, a permission answer linking to its review, and a send form that shows only the field
/// its "To" choice needs.
/// </summary>
public sealed class InboxDetailsUiTests
{
    [Fact]
    public async Task InboxPage_ListsTimeTriggers_LinksPermissionNoticesToTheirReview_SendFormShowsTheFieldItsChoiceNeeds()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (_, page) = await browser.OpenPageAsync(hub.WebUrl, consoleErrors);
        await HubUnderTest.LoginAsync(page, "root", hub.RootPassword);
        await page.GotoAsync("/mailboxes");
        await page.FillAsync("#new-actor-id", "planner");
        await page.ClickAsync("#create-actor-submit");
        await page.WaitForSelectorAsync("#actor-row-planner");

        await page.GotoAsync("/mailboxes/planner");
        await Expect(page.Locator("#actor-triggers-none")).ToHaveTextAsync("No time triggers.");

        // Two triggers: a cron one and a one-shot, with markup in the message that must stay text.
        var cron = await ActorCommand.RunAsync(hub, "--json", "--actor-id", "planner", "time-trigger-set", "--cron", "*/15 9-17 * * mon-fri", "--message", "<b>standup</b>", "--channel", "daily");
        Assert.True(cron.ExitCode == 0, cron.ToString());
        var once = await ActorCommand.RunAsync(hub, "--json", "--actor-id", "planner", "time-trigger-set", "--delay-seconds", "3600", "--message", "check the build");
        Assert.True(once.ExitCode == 0, once.ToString());
        var cronId = JsonDocument.Parse(cron.Stdout).RootElement.GetProperty("trigger_id").GetUInt64();
        await page.ReloadAsync();
        var cronRow = page.Locator($"#actor-triggers-table tr[data-trigger='{cronId}']");
        await Expect(cronRow).ToContainTextAsync("*/15 9-17 * * mon-fri UTC");
        await Expect(cronRow).ToContainTextAsync("<b>standup</b>");
        await Expect(cronRow).ToContainTextAsync("daily");
        await Expect(cronRow).ToHaveAttributeAsync("data-status", "active");
        Assert.Equal(0, await page.Locator("#actor-triggers-table b").CountAsync());
        await Expect(page.Locator("#actor-triggers-table tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#actor-triggers-table")).ToContainTextAsync("once");

        // A permission request answered on the reviews page: the answer in the asker's inbox links to the review.
        var reviewId = await MailboxUiTests.RequestReviewAsync(hub, "planner", "deploy on friday");
        await page.GotoAsync("/reviews");
        await page.ClickAsync($"#review-{reviewId} button[data-option=allow]");
        await Expect(page.Locator("#review-result")).ToContainTextAsync($"review {reviewId}");
        await page.GotoAsync("/mailboxes/planner");
        var link = page.Locator($"#inbox a.review-link[href='/reviews#closed-review-{reviewId}']");
        await Expect(link).ToHaveTextAsync($"review {reviewId}", new() { Timeout = 20_000 });
        await link.ClickAsync();
        await page.WaitForURLAsync($"**/reviews#closed-review-{reviewId}");
        await Expect(page.Locator($"#closed-review-{reviewId}")).ToBeVisibleAsync();

        // The send form: the actor id field for "Actor", the team id field for "Team channel".
        await page.GotoAsync("/mailboxes/planner");
        await Expect(page.Locator("#send-to")).ToBeVisibleAsync();
        await Expect(page.Locator("#send-team")).ToBeHiddenAsync();
        await page.CheckAsync("#send-target-team");
        await Expect(page.Locator("#send-team")).ToBeVisibleAsync();
        await Expect(page.Locator("#send-to")).ToBeHiddenAsync();
        await page.CheckAsync("#send-target-actor");
        await Expect(page.Locator("#send-to")).ToBeVisibleAsync();
        Assert.Empty(consoleErrors);
    }
}
