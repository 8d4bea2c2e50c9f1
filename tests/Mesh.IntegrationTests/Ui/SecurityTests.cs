using System.Net;
using Mesh.IntegrationTests.Support;
using Microsoft.Playwright;

namespace Mesh.IntegrationTests.Ui;

/// <summary>Antiforgery, the viewer role, XSS in node data, headers — in a real browser against a real hub process.</summary>
public sealed class SecurityTests
{
    [Fact]
    public async Task PostWithoutAntiforgery_400_ViewerOnRootPage_403_XssRenderedInert()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var root = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = hub.WebUrl.ToString() });
        var page = await root.NewPageAsync();
        await LoginAsync(page, "root", hub.RootPassword);

        // Headers: CSP without inline script, no framing, no caching of authenticated pages.
        var response = await page.GotoAsync("/");
        var headers = response!.Headers;
        Assert.Contains("script-src 'self'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Equal("DENY", headers["x-frame-options"]);
        Assert.Equal("no-store", headers["cache-control"]);

        // A POST with the session cookie but no antiforgery token: 400, nothing registered.
        var forged = await root.APIRequest.PostAsync("/?handler=Register", new() { Form = MakeForm(root, ("id", "csrf-node")) });
        Assert.Equal(400, forged.Status);
        Assert.Equal(404, (await root.APIRequest.GetAsync("/api/admin/agent-nodes/csrf-node")).Status);

        // XSS payloads in a node's name (UI) and labels (REST) are shown as text, never run.
        const string payload = "<img src=x onerror=\"window.meshXss=1\"><script>window.meshXss=2</script>";
        await page.ClickAsync("#register-details summary");
        await page.FillAsync("#reg-id", "xss-node");
        await page.FillAsync("#reg-name", payload);
        await page.ClickAsync("#register button[type=submit]");
        await page.WaitForSelectorAsync("#node-xss-node");
        Assert.Contains(payload, await page.TextContentAsync("#node-xss-node"), StringComparison.Ordinal);
        var put = await root.APIRequest.PutAsync("/api/admin/agent-nodes/xss-node", new()
        {
            Headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
            DataObject = new { name = payload, labels = new Dictionary<string, string> { ["note"] = "<svg onload=\"window.meshXss=3\">" } },
        });
        Assert.Equal(200, put.Status);
        await page.GotoAsync("/nodes/xss-node");
        Assert.Contains("<svg onload=", await page.TextContentAsync("main"), StringComparison.Ordinal);
        await page.GotoAsync("/");
        Assert.Null(await page.EvaluateAsync<int?>("() => window.meshXss ?? null"));
        Assert.Equal(0, await page.Locator("#node-xss-node img").CountAsync());

        // Edit on the node page: a bad gRPC target is refused inline, a good edit is saved.
        await page.GotoAsync("/nodes/xss-node");
        await page.FillAsync("#edit-grpc_target", "ftp://xss-node:50061");
        await page.ClickAsync("text=Save changes");
        Assert.Contains("uses ftp", await page.TextContentAsync(".field-error"), StringComparison.Ordinal);
        await page.FillAsync("#edit-name", "Edited name");
        await page.FillAsync("#edit-grpc_target", "https://xss-node.example.com:50061");
        await page.ClickAsync("text=Save changes");
        await page.WaitForSelectorAsync("#detail-message:has-text('Changes saved')");
        Assert.Contains("Edited name", await page.TextContentAsync("h1"), StringComparison.Ordinal);
        Assert.Contains("https://xss-node.example.com:50061", await page.TextContentAsync("dl.facts"), StringComparison.Ordinal);

        // Root creates a viewer; the viewer reads the nodes page but gets 403 on root pages and root actions.
        await page.GotoAsync("/access");
        await page.FillAsync("#viewer-name", "watcher");
        await page.FillAsync("#viewer-password", "watcher-password-123");
        await page.ClickAsync("form[action='/access?handler=CreateViewer'] button");
        await page.WaitForSelectorAsync("#access-message:has-text('created')");
        await Browser.ScreenshotAsync(page, "10-access");

        var viewerContext = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = hub.WebUrl.ToString() });
        var viewer = await viewerContext.NewPageAsync();
        await LoginAsync(viewer, "watcher", "watcher-password-123");
        await viewer.WaitForSelectorAsync("#node-xss-node");
        Assert.Equal(0, await viewer.Locator("#register").CountAsync());
        var join = await viewer.GotoAsync("/join");
        Assert.Equal((int)HttpStatusCode.Forbidden, join!.Status);
        await Browser.ScreenshotAsync(viewer, "11-viewer-forbidden");
        Assert.Equal(403, (await viewerContext.APIRequest.GetAsync("/api/admin/agent-nodes")).Status);
        // The cluster read API is open to viewers: an answer (a node, or 404 "none online"), not 403.
        Assert.Contains((await viewerContext.APIRequest.GetAsync("/api/cluster/best-node")).Status, new[] { 200, 404 });
    }

    [Fact]
    public async Task JoinPage_OverflowingTtl_400WithTheRange_NotAServerError()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var page = await (await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = hub.WebUrl.ToString() })).NewPageAsync();
        await LoginAsync(page, "root", hub.RootPassword);
        await page.GotoAsync("/join");

        await page.FillAsync("#ttl", "99999999999h");
        var posted = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#create-token"), r => r.Request.Method == "POST");

        Assert.Equal(400, posted.Status);
        Assert.Contains("'99999999999h' is not a duration from 1m to 7d", await page.TextContentAsync(".field-error"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#token-value").CountAsync());
    }

    [Fact]
    public async Task RepeatedWrongPasswords_LockTheAccount()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var page = await (await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = hub.WebUrl.ToString() })).NewPageAsync();
        for (var i = 0; i < 5; i++)
            await LoginAsync(page, "root", "wrong-" + i, expectSuccess: false);
        Assert.Contains("Too many failed attempts", await page.TextContentAsync("#login-error"), StringComparison.Ordinal);
        await LoginAsync(page, "root", hub.RootPassword, expectSuccess: false);
        Assert.Contains("Too many failed attempts", await page.TextContentAsync("#login-error"), StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "12-locked-out");
    }

    private static async Task LoginAsync(IPage page, string user, string password, bool expectSuccess = true)
    {
        await page.GotoAsync("/login");
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        if (expectSuccess)
            await page.WaitForSelectorAsync("h1:text('Nodes')");
        else
            await page.WaitForSelectorAsync("#login-error");
    }

    private static IFormData MakeForm(IBrowserContext context, params (string Name, string Value)[] fields)
    {
        var form = context.APIRequest.CreateFormData();
        foreach (var (name, value) in fields)
            form.Set(name, value);
        return form;
    }
}
