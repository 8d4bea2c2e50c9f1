using System.Text.Json;
using Mesh.IntegrationTests.Agents;
using Mesh.IntegrationTests.Support;
using Microsoft.Playwright;
using static Mesh.IntegrationTests.Ui.AgentsUiTests;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>
/// Codebases in the UI, in Debian's chromium against a real hub with two real nodes: root creates one (a refusal keeps
/// the values), binds a second node, creates an agent naming it from the agent form (placed on one of its nodes), is
/// refused deleting it while the agent names it, unbinds; a viewer sees the table without forms and gets 403.
/// </summary>
public sealed class CodebasesUiTests(AgentCluster cluster) : IClassFixture<AgentCluster>
{
    [Fact]
    public async Task Root_creates_binds_uses_and_unbinds_a_codebase_and_a_viewer_only_reads()
    {
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (root, page) = await OpenAsRootAsync(browser, cluster, consoleErrors);
        await page.GotoAsync("/agents");
        await page.ClickAsync("#codebases-link");
        await Expect(page.Locator("#codebases")).ToContainTextAsync("No codebases yet.");

        // A relative path is refused in words, with the values kept in the form.
        await page.FillAsync("#codebase-name", "ui-shop");
        await page.SelectOptionAsync("#codebase-node", "n2");
        await page.FillAsync("#codebase-path", "repos/shop");
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#create-codebase-submit"), r => r.Url.Contains("handler=Create", StringComparison.Ordinal));
        Assert.Equal(400, refused.Status);
        await Expect(page.Locator("#codebases-message.error")).ToContainTextAsync("absolute");
        await Expect(page.Locator("#codebase-name")).ToHaveValueAsync("ui-shop");
        await Expect(page.Locator("#codebase-node")).ToHaveValueAsync("n2");

        await page.FillAsync("#codebase-path", "/srv/repos/shop");
        await page.ClickAsync("#create-codebase-submit");
        await page.WaitForURLAsync("**/codebases?done=created&name=ui-shop");
        await Expect(page.Locator("#codebases-message")).ToHaveTextAsync("Created codebase 'ui-shop'.");
        await page.SelectOptionAsync("#bind-name", "ui-shop");
        await page.SelectOptionAsync("#bind-node", "n1");
        await page.FillAsync("#bind-path", "/home/ci/shop");
        await page.ClickAsync("#bind-codebase-submit");
        await page.WaitForURLAsync("**/codebases?done=bound*");
        var rows = page.Locator("#codebases tr[data-codebase='ui-shop']");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(0)).ToContainTextAsync("n1");
        await Expect(rows.Nth(0)).ToContainTextAsync("/home/ci/shop");
        await Expect(rows.Nth(1)).ToContainTextAsync("/srv/repos/shop");

        // The agent form offers it; the agent runs on one of its nodes and shows in the codebase's row.
        await page.GotoAsync("/agents");
        await page.FillAsync("#new-agent-id", "ui-cb");
        await page.SelectOptionAsync("#new-agent-codebase", "ui-shop");
        await page.FillAsync("#new-agent-command", "sh\n-c\nexec sleep 1000");
        await page.FillAsync("#new-agent-stop_grace_seconds", "1");
        await page.ClickAsync("#create-agent-submit");
        await page.WaitForURLAsync("**/agents/ui-cb?done=created");
        var agent = await cluster.WaitForAgentAsync("ui-cb", s => AgentCluster.State(s) == "running");
        Assert.Contains(agent.GetProperty("node_id").GetString(), new[] { "n1", "n2" });
        Assert.Equal("ui-shop", agent.GetProperty("codebase").GetString());
        await page.GotoAsync("/codebases");
        await Expect(page.Locator("#codebase-ui-shop a[href='/agents/ui-cb']")).ToHaveCountAsync(1);

        // Deleting it while an agent names it is refused with the reason; nothing changes.
        await page.SelectOptionAsync("#delete-name", "ui-shop");
        var conflict = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#delete-codebase-submit"), r => r.Url.Contains("handler=Delete", StringComparison.Ordinal));
        Assert.Equal(409, conflict.Status);
        await Expect(page.Locator("#codebases-message.error")).ToContainTextAsync("ui-cb");
        Assert.Equal(2, await page.Locator("#codebases tr[data-codebase='ui-shop']").CountAsync());

        // The node the agent is not on can be unbound.
        var other = agent.GetProperty("node_id").GetString() == "n1" ? "n2" : "n1";
        await page.ClickAsync($"#unbind-ui-shop-{other}");
        await page.WaitForURLAsync("**/codebases?done=unbound*");
        await Expect(page.Locator("#codebases tr[data-codebase='ui-shop']")).ToHaveCountAsync(1);
        Assert.DoesNotContain(other, (await cluster.SendAsync(HttpMethod.Get, "/api/admin/codebases/ui-shop")).Body.GetProperty("nodes").EnumerateObject().Select(p => p.Name));

        // A viewer reads the table, has no form, and is refused each change even with a valid antiforgery token.
        await HubUnderTest.CreateViewerAsync(page, "codebase-watcher", "codebase-watcher-password-1");
        var viewerContext = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = cluster.Admin.BaseAddress!.ToString() });
        var viewer = await viewerContext.NewPageAsync();
        await MailboxUiTests.LoginAsync(viewer, "codebase-watcher", "codebase-watcher-password-1");
        await viewer.GotoAsync("/codebases");
        await Expect(viewer.Locator("#codebase-ui-shop")).ToContainTextAsync("ui-shop");
        Assert.Equal(0, await viewer.Locator("#codebases form, #create-codebase, #bind-codebase").CountAsync());
        var headers = JsonDocument.Parse((await viewer.GetAttributeAsync("body", "hx-headers"))!).RootElement;
        var withToken = new Dictionary<string, string> { ["RequestVerificationToken"] = headers.GetProperty("RequestVerificationToken").GetString()! };
        foreach (var handler in new[] { "Create", "Bind", "Unbind", "Delete" })
        {
            var response = await viewerContext.APIRequest.PostAsync($"/codebases?handler={handler}", new() { Headers = withToken, Form = Form(viewerContext, ("name", "ui-shop"), ("node", "n1"), ("path", "/x")) });
            Assert.Equal(403, response.Status);
        }

        // Without the token root is refused too (400), and the codebase is as it was.
        Assert.Equal(400, (await root.APIRequest.PostAsync("/codebases?handler=Delete", new() { Form = Form(root, ("name", "ui-shop")) })).Status);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await cluster.SendAsync(HttpMethod.Get, "/api/admin/codebases/ui-shop")).Status);
        // The browser reports the two refused posts' statuses, nothing else.
        Assert.DoesNotContain(consoleErrors, e => !e.Contains("400", StringComparison.Ordinal) && !e.Contains("409", StringComparison.Ordinal));
    }
}
