using Mesh.Core.Tests;
using Mesh.IntegrationTests.Agents;
using Mesh.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>
/// Worktrees in Debian's chromium against a real mesh (hub process, node processes, the system git): an agent made
/// with create_worktree through the form, its worktree's state and a file's diff on its page; deleted, its worktree is
/// kept and shows on the node page with the root and the disk the node reports, and is removed there after a
/// confirmation that names what is lost (audited; antiforgery enforced).
/// </summary>
public sealed class WorktreesUiTests(AgentCluster cluster) : IClassFixture<AgentCluster>
{
    private static readonly LocatorAssertionsToContainTextOptions Slow = new() { Timeout = 20_000 };

    [Fact]
    public async Task CreateWorktreeThroughTheForm_StateAndDiffOnAgentPage_KeptOnNodePage_RemovedAfterConfirmation()
    {
        var repo = GitRepo.Create(Path.Combine(cluster.WorkRoot, "ui-repo"));
        var baseCommit = GitRepo.Run(repo, "rev-parse", "main");
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (context, page) = await AgentsUiTests.OpenAsRootAsync(browser, cluster, consoleErrors);
        var where = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
                where.Add($"{m.Text} at {m.Location} on {page.Url}");
        };

        // The form: execution node, work folder mode, repository and ref.
        await page.GotoAsync("/agents");
        await page.FillAsync("#new-agent-id", "ui-wt");
        await page.SelectOptionAsync("#new-agent-placement", "n1");
        await page.FillAsync("#new-agent-command", "sleep\n1000");
        await page.SelectOptionAsync("#new-agent-work_mode", "create_worktree");
        await page.FillAsync("#new-agent-repo", repo);
        await page.FillAsync("#new-agent-ref", "main");
        await page.FillAsync("#new-agent-stop_grace_seconds", "1");
        await page.ClickAsync("#create-agent-submit");
        await page.WaitForURLAsync("**/agents/ui-wt?done=created");
        var worktree = (await cluster.WaitForAgentAsync("ui-wt", s => AgentCluster.State(s) == "running", TimeSpan.FromSeconds(30))).GetProperty("status").GetProperty("worktree");
        var path = worktree.GetProperty("path").GetString()!;
        var branch = worktree.GetProperty("branch").GetString()!;
        Assert.StartsWith(Path.Combine(cluster.WorktreeRoot, "ui-repo-ui-wt-"), path, StringComparison.Ordinal);

        // The agent works: one commit, one uncommitted line.
        File.WriteAllText(Path.Combine(path, "README.md"), "hello\nfrom the agent\n");
        GitRepo.Run(path, "commit", "-qam", "agent work");
        File.AppendAllText(Path.Combine(path, "README.md"), "<b>not yet committed</b>\n");

        await page.GotoAsync("/agents/ui-wt");
        var state = page.Locator("#worktree-state");
        await Expect(state).ToContainTextAsync(branch, Slow);
        await Expect(state).ToContainTextAsync(baseCommit[..12]);
        await Expect(page.Locator("#worktree-ahead")).ToHaveTextAsync("1 ahead");
        await Expect(state).ToContainTextAsync("0 behind");
        await Expect(state).ToContainTextAsync("1 uncommitted file, 1 unpushed commit");
        await page.ClickAsync("#worktree-changes a:text('README.md')");
        var diff = page.Locator("#worktree-diff-text");
        await Expect(diff).ToContainTextAsync("+from the agent", Slow);
        await Expect(diff).ToContainTextAsync("+<b>not yet committed</b>");
        Assert.Equal(0, await page.Locator("#worktree-diff-text b").CountAsync());
        await Browser.ScreenshotAsync(page, "worktrees-01-agent-state-and-diff");

        // Deleted, the agent's worktree is kept; the node page lists it with what is not yet safe.
        // Over REST, whose answer says what was kept.
        await page.GotoAsync("/agents");
        var (_, deleted) = await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/ui-wt");
        Assert.Equal("kept: 1 uncommitted file, 1 unpushed commit", deleted.GetProperty("worktree").GetProperty("message").GetString());
        Assert.True(Directory.Exists(path));
        await page.GotoAsync("/nodes/n1");
        var row = page.Locator("#node-worktrees-table tr[data-state=kept]");
        await Expect(row).ToContainTextAsync(path, Slow);
        await Expect(row).ToContainTextAsync("1 uncommitted file, 1 unpushed commit");
        await Expect(row.Locator("label")).ToContainTextAsync("Yes, remove it and lose 1 uncommitted file, 1 unpushed commit");

        // The node's heartbeat carries the worktrees' disk (measured in the background): page and metrics show it.
        await UsageAsync(page);
        await Expect(page.Locator("#node-worktree-root")).ToContainTextAsync(cluster.WorktreeRoot + " reported by the node");
        var metrics = new Mesh.Hub.Tests.Metrics.PrometheusText(await cluster.Admin.GetStringAsync("/metrics"));
        Assert.True(metrics.Sum("mesh_node_worktrees_size_bytes", "mesh_node_id=n1") > 0, metrics.Text);
        Assert.False(metrics.Has("mesh_node_worktrees_quota_bytes", "mesh_node_id=n1"), "n1 sets no quota");
        await Browser.ScreenshotAsync(page, "worktrees-02-node-kept");

        // Without the antiforgery token the removal is refused and nothing goes.
        (string, string)[] fields = [("path", path), ("confirm", "yes"), ("expect", "1 uncommitted file, 1 unpushed commit")];
        Assert.Equal(400, (await context.APIRequest.PostAsync("/nodes/n1/worktrees?handler=Remove", new() { Form = AgentsUiTests.Form(context, fields) })).Status);
        Assert.True(Directory.Exists(path));

        // A viewer sees the kept worktree but no removal form, and a POST with a valid token is 403: nothing goes.
        await page.GotoAsync("/access");
        await page.FillAsync("#viewer-name", "worktree-watcher");
        await page.FillAsync("#viewer-password", "worktree-watcher-password-1");
        await page.ClickAsync("form[action='/access?handler=CreateViewer'] button");
        await page.WaitForSelectorAsync("#access-message:has-text('created')");
        await using (var viewerContext = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = cluster.Admin.BaseAddress!.ToString() }))
        {
            var viewer = await viewerContext.NewPageAsync();
            await MailboxUiTests.LoginAsync(viewer, "worktree-watcher", "worktree-watcher-password-1");
            await viewer.GotoAsync("/nodes/n1");
            var viewerRow = viewer.Locator("#node-worktrees-table tr[data-state=kept]");
            await Expect(viewerRow).ToContainTextAsync(path);
            Assert.Equal(0, await viewerRow.Locator("form, button").CountAsync());
            var headers = System.Text.Json.JsonDocument.Parse((await viewer.GetAttributeAsync("body", "hx-headers"))!).RootElement;
            var withToken = new Dictionary<string, string> { ["RequestVerificationToken"] = headers.GetProperty("RequestVerificationToken").GetString()! };
            Assert.Equal(403, (await viewerContext.APIRequest.PostAsync("/nodes/n1/worktrees?handler=Remove", new() { Headers = withToken, Form = AgentsUiTests.Form(viewerContext, fields) })).Status);
            Assert.True(Directory.Exists(path));
        }

        await page.GotoAsync("/nodes/n1");

        // Unticked, the browser does not send it; ticked, it is removed, said and audited.
        await row.Locator("button").ClickAsync();
        Assert.EndsWith("/nodes/n1", page.Url, StringComparison.Ordinal);
        await row.Locator("input[name=confirm]").CheckAsync();
        await row.Locator("button").ClickAsync();
        await page.WaitForURLAsync("**/nodes/n1/worktrees?done=removed*");
        await Expect(page.Locator("#node-worktrees-message")).ToHaveTextAsync($"Worktree {path} removed.");
        await Expect(page.Locator("#node-worktrees-body")).ToContainTextAsync("This node has no agent worktrees.");
        Assert.False(Directory.Exists(path));
        Assert.DoesNotContain(branch, GitRepo.Run(repo, "branch", "--list"), StringComparison.Ordinal);
        var (_, audit) = await cluster.SendAsync(HttpMethod.Get, "/api/admin/audit?limit=20");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e =>
            e.GetProperty("action").GetString() == "worktree.removed" && e.GetProperty("target").GetString() == path
            && e.GetProperty("details").GetString()!.Contains("lost 1 uncommitted file, 1 unpushed commit", StringComparison.Ordinal));
        await Browser.ScreenshotAsync(page, "worktrees-03-removed");
        Assert.True(consoleErrors.Count == 0, string.Join("\n", where));
    }

    /// <summary>The node page's "Worktrees on disk" once the node's heartbeat carries a measurement of the kept worktree.</summary>
    private static async Task<string> UsageAsync(IPage page)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var usage = page.Locator("#node-worktree-usage");
            var text = await usage.CountAsync() == 1 ? await usage.InnerTextAsync() : "(none)";
            if (text.Contains("in 1 worktree (1 kept)", StringComparison.Ordinal) && !text.StartsWith("0 ", StringComparison.Ordinal))
                return text;
            Assert.True(DateTime.UtcNow < deadline, "the node page never showed the kept worktree's disk usage; last: " + text);
            await Task.Delay(500);
            // Not while the worktree list is still being asked for: a reload would abort that request.
            await Expect(page.Locator("#node-worktrees-body")).Not.ToContainTextAsync("Loading", new() { Timeout = 20_000 });
            await page.ReloadAsync();
        }
    }
}
