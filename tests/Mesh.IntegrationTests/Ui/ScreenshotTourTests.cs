using Mesh.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>
/// Every page of the UI at 1440 and 390 px wide, against a real hub and a real node, each page answering without
/// a console error and without sideways scrolling at 390 px. The PNGs land in the test output's screenshots/tour;
/// tools/screenshots.sh runs this test and copies them to docs/screenshots.
/// </summary>
public sealed class ScreenshotTourTests
{
    public static string TourDirectory { get; } = Path.Combine(Browser.ScreenshotDirectory, "tour");

    [Fact]
    public async Task EveryPage_At1440And390_RendersWithoutErrors()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (_, setup) = await browser.OpenPageAsync(hub.WebUrl, consoleErrors);
        await HubUnderTest.LoginAsync(setup, "root", hub.RootPassword);
        await HubUnderTest.CreateViewerAsync(setup, "watcher", "watcher-password-123");
        await setup.GotoAsync("/mailboxes");
        await setup.FillAsync("#new-actor-id", "builder-1");
        await setup.FillAsync("#new-actor-name", "Builder 1");
        await setup.FillAsync("#new-actor-team_id", "web");
        await setup.ClickAsync("#create-actor-submit");
        await setup.WaitForSelectorAsync("#actor-row-builder-1");

        // The Join page while it waits, then the node that joined with that token.
        await setup.GotoAsync("/join");
        await setup.FillAsync("#node_id", "node-7");
        await setup.ClickAsync("#create-token");
        await Expect(setup.Locator("#join-progress [data-state=waiting]")).ToHaveCountAsync(1);
        var joinUrl = setup.Url;
        await ShootAsync(browser, hub, joinUrl, "join-01-waiting", consoleErrors);
        await hub.StartNodeAsync("node-7", (await setup.TextContentAsync("#node-config"))!);
        await Expect(setup.Locator("#join-progress [data-state=joined]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await ShootAsync(browser, hub, joinUrl, "join-02-joined", consoleErrors);

        foreach (var (path, name) in new[]
        {
            ("/", "nodes"), ("/nodes/node-7", "node-detail"), ("/nodes/main", "node-main"), ("/join", "join"), ("/join/ssh", "join-ssh"),
            ("/mailboxes", "mailboxes"), ("/mailboxes/builder-1", "inbox"), ("/reviews", "reviews"), ("/agents", "agents"),
            ("/audit", "audit"), ("/access", "access"), ("/account", "account"), ("/no-such-page", "error-404"),
        })
        {
            await ShootAsync(browser, hub, path, name, consoleErrors, expectedStatus: name == "error-404" ? 404 : 200);
        }

        await ShootAsync(browser, hub, "/join", "error-403", consoleErrors, expectedStatus: 403, user: ("watcher", "watcher-password-123"));
        await ShootAsync(browser, hub, "/login", "login", consoleErrors, signedOut: true);
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
        Assert.Equal(34, Directory.GetFiles(TourDirectory, "*.png").Length);
    }

    /// <summary>One page at both widths, in light mode, as <paramref name="user"/> (root by default), or signed out.</summary>
    private static async Task ShootAsync(Browser browser, HubUnderTest hub, string path, string name, List<string> consoleErrors, int expectedStatus = 200, (string Name, string Password)? user = null, bool signedOut = false)
    {
        (string Name, string Password)? who = signedOut ? null : user ?? ("root", hub.RootPassword);
        Directory.CreateDirectory(TourDirectory);
        foreach (var width in new[] { 1440, 390 })
        {
            var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = hub.WebUrl.ToString(),
                ViewportSize = new ViewportSize { Width = width, Height = width == 390 ? 844 : 900 },
                ColorScheme = ColorScheme.Light,
            });
            var page = await context.NewPageAsync();
            if (who is { } login)
                await HubUnderTest.LoginAsync(page, login.Name, login.Password);
            page.Console += (_, message) =>
            {
                // A 403/404 page is the answer asked for; the browser reports its status as a console error.
                if (message.Type == "error" && !(expectedStatus != 200 && message.Text.Contains(expectedStatus.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)))
                    consoleErrors.Add($"{path} at {width}: {message.Text}");
            };
            var response = await page.GotoAsync(path);
            Assert.Equal(expectedStatus, response!.Status);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle, new() { Timeout = 5000 }).ContinueWith(_ => { }, TaskScheduler.Default); // live pages never go idle
            if (width == 390)
                Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 390, $"{path} scrolls sideways at 390 px");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(TourDirectory, $"{name}-{width}.png"), FullPage = true });
            await context.CloseAsync();
        }
    }
}
