using System.Text.RegularExpressions;
using Mesh.Hub.Tests.Support;
using Mesh.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>Onboarding and access hygiene against a real hub process: the CLI password reset, password change, token defaults.</summary>
public sealed partial class AccessUiTests
{
    [Fact]
    public async Task ResetPasswordViaCli_ThenLogin_ChangePassword_TokensDefaultToViewerWithExpiry_ViewerRemoved()
    {
        await using var hub = await HubUnderTest.StartAsync();
        var config = Path.Combine(hub.Directory.Path, "hub.toml");

        // mesh admin reset-password, run beside the running hub: a new one-time password on stdout, the old one dead.
        var (code, stdout, stderr) = await MeshProcess.RunAsync("admin", "reset-password", "--config", config);
        Assert.True(code == 0, stderr);
        var password = NewPassword().Match(stdout).Groups[1].Value;
        Assert.True(password.Length >= 16, stdout);
        var (unknownCode, _, unknownError) = await MeshProcess.RunAsync("admin", "reset-password", "--config", config, "--user", "nobody");
        Assert.Equal(1, unknownCode);
        Assert.Contains("no UI account 'nobody' (accounts: root)", unknownError, StringComparison.Ordinal);

        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (_, page) = await browser.OpenPageAsync(hub.WebUrl, consoleErrors);
        await page.GotoAsync("/login");
        await page.FillAsync("#username", "root");
        await page.FillAsync("#password", hub.RootPassword);
        await page.ClickAsync("button[type=submit]");
        await Expect(page.Locator("#login-error")).ToContainTextAsync("Wrong user name or password");
        await Browser.ForgetExpectedErrorAsync(consoleErrors, "status of 401"); // the deliberate 401
        await HubUnderTest.LoginAsync(page, "root", password);
        await page.GotoAsync("/audit");
        await Expect(page.Locator("#audit")).ToContainTextAsync("ui_user.password_reset");

        // Change it on the account page (the name in the header leads there); the new one logs in.
        await page.ClickAsync("#account-link");
        await page.FillAsync("#current-password", password);
        await page.FillAsync("#new-password", "a-new-root-password-2026");
        await page.ClickAsync("#change-password");
        await Expect(page.Locator("#account-message")).ToContainTextAsync("Password changed.");
        await page.ClickAsync("header.top .who button");
        await HubUnderTest.LoginAsync(page, "root", "a-new-root-password-2026");

        // A new API token: viewer and 90 days unless chosen otherwise; last use shown; revocable.
        await page.GotoAsync("/access");
        Assert.Equal("viewer", await page.InputValueAsync("#token-role"));
        Assert.Equal("90d", await page.InputValueAsync("#token-expires"));
        await page.FillAsync("#token-name", "scraper");
        await page.ClickAsync("form[action='/access?handler=CreateToken'] button");
        var token = (await page.TextContentAsync("#api-token"))!.Trim();
        var row = page.Locator("#api-tokens tbody tr", new() { HasText = "scraper" });
        // Post/redirect/get: the secret waits on a plain GET for its creator; a reload creates nothing.
        Assert.Matches(@"/access\?created=[^&]+$", page.Url);
        await page.ReloadAsync();
        Assert.Equal(token, (await page.TextContentAsync("#api-token"))!.Trim());
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("viewer");
        await Expect(row).ToContainTextAsync(DateTimeOffset.UtcNow.AddDays(90).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await Expect(row).ToContainTextAsync("never");
        var api = page.Context.APIRequest;
        var headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token };
        Assert.Contains((await api.GetAsync("/api/cluster/best-node", new() { Headers = headers })).Status, new[] { 200, 404 }); // accepted: an answer, not 401
        Assert.Equal(403, (await api.GetAsync("/api/admin/agent-nodes", new() { Headers = headers })).Status); // a viewer, not root
        await page.GotoAsync("/access");
        await Expect(row).ToContainTextAsync("s ago");
        await row.Locator("button", new() { HasText = "Revoke" }).ClickAsync();
        await Expect(page.Locator("#api-tokens tbody tr", new() { HasText = "scraper" })).ToContainTextAsync("revoked");
        Assert.Equal(401, (await api.GetAsync("/api/admin/agent-nodes", new() { Headers = headers })).Status);

        // Root removes a viewer account; its open session ends at its next request.
        await HubUnderTest.CreateViewerAsync(page, "watcher", "watcher-password-123");
        var viewerContext = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = hub.WebUrl.ToString() });
        var viewer = await viewerContext.NewPageAsync();
        await HubUnderTest.LoginAsync(viewer, "watcher", "watcher-password-123");
        await page.ClickAsync("#remove-user-watcher");
        await Expect(page.Locator("#access-message")).ToContainTextAsync("Viewer 'watcher' removed.");
        Assert.EndsWith("/access", page.Url, StringComparison.Ordinal); // redirected: the outcome line is shown once
        await page.ReloadAsync();
        await Expect(page.Locator("#access-message")).ToHaveCountAsync(0);
        await Browser.ScreenshotAsync(page, "access-01-tokens");
        await viewer.GotoAsync("/");
        Assert.Contains("/login", viewer.Url, StringComparison.Ordinal);
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }

    [GeneratedRegex("one-time password ([A-Za-z0-9]+)")]
    private static partial Regex NewPassword();
}
