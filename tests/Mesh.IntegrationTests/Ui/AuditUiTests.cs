using Mesh.IntegrationTests.Support;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>The audit page's filters, its By column and its target links, against a real hub process.</summary>
public sealed class AuditUiTests
{
    [Fact]
    public async Task AuditPage_FiltersByActionAndBy_TargetsLink_BadDaySaysWhy()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (_, page) = await browser.OpenPageAsync(hub.WebUrl, consoleErrors);
        await HubUnderTest.LoginAsync(page, "root", hub.RootPassword);
        await HubUnderTest.CreateViewerAsync(page, "auditor", "auditor-password-1");

        await page.GotoAsync("/audit");
        Assert.Equal(["When", "By", "Action", "Target", "From", "Details"], await page.Locator("#audit thead th").AllTextContentsAsync());
        var created = page.Locator("#audit tbody tr", new() { HasText = "ui_user.created" });
        await Expect(created).ToHaveCountAsync(1);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", await created.Locator("time").GetAttributeAsync("title"));

        // Filter by action: only those rows; then by who from a row's By link (the action filter stays).
        await page.FillAsync("#audit-action", "ui_user.created");
        await page.ClickAsync("#audit-filter");
        await page.WaitForURLAsync(url => url.Contains("action=ui_user.created", StringComparison.Ordinal));
        var actions = await page.Locator("#audit tbody tr td:nth-child(3)").AllTextContentsAsync();
        Assert.Equal(["ui_user.created"], actions);
        await page.ClickAsync("#audit tbody tr td:nth-child(2) a");
        await page.WaitForURLAsync(url => url.Contains("by=root", StringComparison.Ordinal) && url.Contains("action=ui_user.created", StringComparison.Ordinal));
        Assert.Equal("root", await page.InputValueAsync("#audit-by"));

        // A day with nothing in it yet; then no filter at all.
        await page.FillAsync("#audit-since", DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await page.ClickAsync("#audit-filter");
        await Expect(page.Locator("#audit tbody")).ToContainTextAsync("No entries match this filter.");
        await page.ClickAsync("#audit-clear");
        await Expect(page.Locator("#audit tbody tr", new() { HasText = "ui.login" }).First).ToBeVisibleAsync();

        // The target of an account change leads to the Access page.
        await page.ClickAsync("#audit tbody tr:has-text('ui_user.created') td:nth-child(4) a");
        await page.WaitForURLAsync(url => url.EndsWith("/access", StringComparison.Ordinal));

        // A day the page cannot read is said in words, with a 400.
        var bad = await page.GotoAsync("/audit?since=yesterday");
        Assert.Equal(400, bad!.Status);
        await Expect(page.Locator("#audit-problem")).ToContainTextAsync("since: 'yesterday' is not a day (2026-12-05)");
        await Browser.ForgetExpectedErrorAsync(consoleErrors, "status of 400"); // the deliberate 400
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }
}
