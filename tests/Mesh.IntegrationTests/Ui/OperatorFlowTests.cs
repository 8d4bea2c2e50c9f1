using Mesh.IntegrationTests.Support;
using Microsoft.Playwright;

namespace Mesh.IntegrationTests.Ui;

/// <summary>The issue's browser flow against real hub and node processes, a screenshot per step.</summary>
public sealed class OperatorFlowTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Login_Register_JoinWithToken_LiveOnline_TestConnection_Remove()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (context, page) = await browser.OpenPageAsync(hub.WebUrl, consoleErrors);

        // 1. Log in as root with the one-time password the hub printed.
        await page.GotoAsync("/");
        Assert.EndsWith("/login?ReturnUrl=%2F", page.Url, StringComparison.Ordinal);
        await page.FillAsync("#username", "root");
        await page.FillAsync("#password", "wrong-password");
        await page.ClickAsync("button[type=submit]");
        Assert.Contains("Wrong user name or password", await page.TextContentAsync("#login-error"), StringComparison.Ordinal);
        consoleErrors.Clear(); // the browser reports the deliberate 401
        await page.FillAsync("#username", "root");
        await page.FillAsync("#password", hub.RootPassword);
        await Browser.ScreenshotAsync(page, "01-login");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("h1:text('Nodes')");
        await page.WaitForSelectorAsync("#node-main[data-status=online]", new() { Timeout = (float)Step.TotalMilliseconds });
        await Browser.ScreenshotAsync(page, "02-nodes");
        await page.EvaluateAsync("() => { window.meshNoReload = true; }");

        // 2. Register a node: a bad id gets an inline error, a good one appears as a pending row without a reload.
        await page.ClickAsync("#register-details summary"); // behind a button: nodes normally join, needing no registration
        await page.FillAsync("#reg-id", "x");
        await page.ClickAsync("#register button[type=submit]");
        Assert.Contains("2 to 64 characters", await page.TextContentAsync("#reg-id-error"), StringComparison.Ordinal);
        await page.FillAsync("#reg-id", "web-reg-01");
        await page.FillAsync("#reg-name", "Registered from the browser");
        await page.FillAsync("#reg-grpc_target", "https://web-reg-01.example.com:50061");
        await page.ClickAsync("#register button[type=submit]");
        await page.WaitForSelectorAsync("#register-ok");
        await page.WaitForSelectorAsync("#node-web-reg-01[data-status=pending]", new() { Timeout = (float)Step.TotalMilliseconds });
        Assert.True(await page.EvaluateAsync<bool>("() => window.meshNoReload === true"));
        await Browser.ScreenshotAsync(page, "03-registered");

        // 3. Create a join token bound to a new node id; the page shows the ready-to-paste configuration.
        var joinPage = await context.NewPageAsync();
        await joinPage.GotoAsync("/join");
        await joinPage.FillAsync("#ttl", "15m");
        await joinPage.FillAsync("#node_id", "browser-node");
        await joinPage.ClickAsync("#create-token");
        var token = (await joinPage.TextContentAsync("#token-value"))!.Trim();
        var snippet = (await joinPage.TextContentAsync("#node-config"))!;
        Assert.StartsWith("mesh1.", token, StringComparison.Ordinal);
        Assert.Contains(token, snippet, StringComparison.Ordinal);
        Assert.Contains($"target = \"{hub.GrpcUrl}\"", snippet, StringComparison.Ordinal);
        await Browser.ScreenshotAsync(joinPage, "04-join-token");

        // 4. Start a real node with that configuration: its row turns online in the open nodes page, no reload.
        var node = await hub.StartNodeAsync("browser-node", snippet); // the hub fixture stops it
        await page.BringToFrontAsync();
        await page.WaitForSelectorAsync("#node-browser-node[data-status=online]", new() { Timeout = (float)Step.TotalMilliseconds });
        Assert.True(await page.EvaluateAsync<bool>("() => window.meshNoReload === true"));
        await Browser.ScreenshotAsync(page, "05-node-online");

        // 5. Node detail: test connection, result and latency inline.
        await page.ClickAsync("#node-browser-node a");
        await page.WaitForSelectorAsync("h1:has-text('browser-node')");
        await page.ClickAsync("#test-connection");
        var report = await page.WaitForSelectorAsync("#health-report");
        var reportText = await report!.TextContentAsync();
        Assert.Contains("Connection OK", reportText, StringComparison.Ordinal);
        Assert.Matches(@"round trip \d+\.\d ms", reportText);
        await Browser.ScreenshotAsync(page, "06-test-connection");

        // 6. Remove (with confirmation): the node shows revoked, the node process stops, the list agrees.
        await page.ClickAsync("#remove-node");
        Assert.Contains("/nodes/browser-node", page.Url, StringComparison.Ordinal); // the required checkbox kept the form from submitting
        await page.CheckAsync("#remove-confirm");
        await page.ClickAsync("#remove-node");
        await page.WaitForSelectorAsync("#node-status .status-revoked");
        await Browser.ScreenshotAsync(page, "07-removed");
        Assert.Equal(1, await node.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("certificate revoked", node.StandardError, StringComparison.Ordinal);
        await page.GotoAsync("/");
        await page.WaitForSelectorAsync("#node-browser-node[data-status=revoked]");
        await Browser.ScreenshotAsync(page, "08-nodes-after-removal");

        // 7. The audit page lists what happened.
        await page.GotoAsync("/audit");
        var audit = await page.TextContentAsync("#audit");
        foreach (var action in new[] { "ui.login", "node.registered", "join_token.created", "node.enrolled", "node.revoked", "auth.failed" })
            Assert.Contains(action, audit, StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "09-audit");
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }
}
