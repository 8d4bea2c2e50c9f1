using Mesh.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>The shared shell on a phone-sized screen, in dark mode, and its error pages, against a real hub process.</summary>
public sealed class LayoutUiTests
{
    private static readonly string[] Pages = ["/", "/nodes/main", "/join", "/join/ssh", "/mailboxes", "/reviews", "/agents", "/audit", "/access"];

    [Fact]
    public async Task At390px_NoPageScrollsSideways_EveryNavLinkAndLogOutInsideTheScreen()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = hub.WebUrl.ToString(), ViewportSize = new ViewportSize { Width = 390, Height = 844 } });
        var page = await context.NewPageAsync();
        await HubUnderTest.LoginAsync(page, "root", hub.RootPassword);
        await page.GotoAsync("/join");
        await page.FillAsync("#node_id", "phone-node");
        await page.ClickAsync("#create-token"); // the longest page: token, commands and configuration shown

        foreach (var path in Pages.Append(page.Url))
        {
            await page.GotoAsync(path);
            var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            var widest = await page.EvaluateAsync<string>("""
                () => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391 && !e.parentElement.closest('.table-wrap'))
                    .slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')
                """);
            Assert.True(width <= 390, $"{path} is {width} px wide at a 390 px viewport: {widest}");
            foreach (var link in await page.Locator("header.top nav a, header.top .who button").AllAsync())
            {
                var box = await link.BoundingBoxAsync();
                Assert.True(box is not null && box.X >= 0 && box.X + box.Width <= 390, $"{path}: '{await link.TextContentAsync()}' is outside the screen ({box?.X}+{box?.Width})");
            }
        }

        // The nav works by touch: the Audit link, last but one, takes you there.
        await page.GotoAsync("/");
        await page.ClickAsync("header.top nav a[href='/audit']");
        await page.WaitForURLAsync(url => url.EndsWith("/audit", StringComparison.Ordinal));
        await page.ClickAsync("header.top .who button");
        await page.WaitForURLAsync(url => url.Contains("/login", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DarkMode_FollowsPrefersColorScheme()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        async Task<(string Body, string Card, string ChartText, string ChartGrid, string CpuKey)> ColoursAsync(ColorScheme scheme)
        {
            var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = hub.WebUrl.ToString(), ColorScheme = scheme });
            var page = await context.NewPageAsync();
            await HubUnderTest.LoginAsync(page, "root", hub.RootPassword);
            await page.GotoAsync("/nodes/main");
            var body = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
            var card = await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('.card')).backgroundColor");
            var chartText = await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('#node-chart text')).fill");
            var chartGrid = await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('#node-chart line.grid')).stroke");
            var cpuKey = await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('.legend .key.cpu')).backgroundColor");
            await context.CloseAsync();
            return (body, card, chartText, chartGrid, cpuKey);
        }

        // The chart's labels, grid and series follow the scheme too (no light box inside a dark page).
        Assert.Equal(("rgb(246, 248, 250)", "rgb(255, 255, 255)", "rgb(87, 96, 106)", "rgb(208, 215, 222)", "rgb(9, 105, 218)"), await ColoursAsync(ColorScheme.Light));
        Assert.Equal(("rgb(13, 17, 23)", "rgb(22, 27, 34)", "rgb(145, 152, 161)", "rgb(48, 54, 61)", "rgb(68, 147, 248)"), await ColoursAsync(ColorScheme.Dark));
    }

    [Fact]
    public async Task NotFoundAndForbidden_RenderInTheLayout_WithAWayBack_ApiKeepsProblemDetails()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (_, page) = await browser.OpenPageAsync(hub.WebUrl, consoleErrors);
        await HubUnderTest.LoginAsync(page, "root", hub.RootPassword);

        foreach (var path in new[] { "/no-such-page", "/nodes/no-such-node", "/mailboxes/no-such-actor" })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(404, response!.Status);
            await Expect(page.Locator("#error-page h1")).ToContainTextAsync("404 — Not found");
            await Expect(page.Locator("header.top nav")).ToBeVisibleAsync();
        }

        await Browser.ScreenshotAsync(page, "error-404");
        await page.ClickAsync("#error-back");
        await page.WaitForSelectorAsync("h1:text('Nodes')");

        // A viewer on a root page: 403 in the layout, nav still there, a link back.
        await HubUnderTest.CreateViewerAsync(page, "watcher", "watcher-password-123");
        var viewerContext = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = hub.WebUrl.ToString() });
        var viewer = await viewerContext.NewPageAsync();
        await HubUnderTest.LoginAsync(viewer, "watcher", "watcher-password-123");
        var forbidden = await viewer.GotoAsync("/join");
        Assert.Equal(403, forbidden!.Status);
        await Expect(viewer.Locator("#error-page h1")).ToContainTextAsync("403 — Forbidden");
        await Expect(viewer.Locator("header.top .who")).ToContainTextAsync("watcher");
        await Browser.ScreenshotAsync(viewer, "error-403");
        await viewer.ClickAsync("#error-back");
        await viewer.WaitForSelectorAsync("h1:text('Nodes')");

        // Signed out, an unknown page still has the layout and offers the login; REST keeps problem details.
        var anonymous = await (await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = hub.WebUrl.ToString() })).NewPageAsync();
        Assert.Equal(404, (await anonymous.GotoAsync("/nothing-here"))!.Status);
        await Expect(anonymous.Locator("#error-back")).ToHaveAttributeAsync("href", "/login");
        var api = await viewerContext.APIRequest.GetAsync("/api/admin/agent-nodes");
        Assert.Equal(403, api.Status);
        Assert.Contains("application/problem+json", api.Headers["content-type"], StringComparison.Ordinal);
        var page500 = await anonymous.GotoAsync("/error/500");
        Assert.Equal(500, page500!.Status);
        await Expect(anonymous.Locator("#error-page h1")).ToContainTextAsync("500 — Something went wrong");
    }
}
