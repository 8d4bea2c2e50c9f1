using System.Net;
using System.Text.Json;
using Mesh.IntegrationTests.Agents;
using Mesh.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>
/// The agent page's schedule form in Debian's chromium against a real mesh (hub and node processes): a refusal shown
/// in the page with the values kept, create and delete with post/redirect/get, the table picking the schedule up,
/// antiforgery (400 without the token) and the viewer role (no form, 403 with a valid token).
/// </summary>
public sealed class ScheduleUiTests(AgentCluster cluster) : IClassFixture<AgentCluster>
{
    [Fact]
    public async Task ScheduleForm_RefusalShownInThePage_CreateAndDeleteWithPrg_CsrfAndViewerRefused()
    {
        var (created, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", """{"id":"ui-sched","placement":"n1","command":["sleep","1000"],"stop_grace_seconds":1}""");
        Assert.True(created == HttpStatusCode.Created, body.ToString());
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (root, page) = await AgentsUiTests.OpenAsRootAsync(browser, cluster, consoleErrors);
        await page.GotoAsync("/agents/ui-sched");
        await Expect(page.Locator("#agent-schedules-none")).ToContainTextAsync("No schedules");

        // A cron with six fields: refused in the page (400), the values kept, nothing stored.
        await page.SelectOptionAsync("#schedule-kind", "cron");
        await page.FillAsync("#schedule-when", "0 * * * * *");
        await page.FillAsync("#schedule-payload", "six fields");
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#schedule-create-button"), r => r.Url.Contains("handler=ScheduleCreate", StringComparison.Ordinal));
        Assert.Equal(400, refused.Status);
        await Expect(page.Locator("#agent-message.error")).ToContainTextAsync("cron: ");
        await Expect(page.Locator("#schedule-when")).ToHaveValueAsync("0 * * * * *");
        await Expect(page.Locator("#schedule-kind")).ToHaveValueAsync("cron");
        await Expect(page.Locator("#schedule-payload")).ToHaveValueAsync("six fields");
        Assert.Empty(await SchedulesAsync("ui-sched"));

        // A valid one: post/redirect/get to the page with a message; the table (polled) shows it; REST has it.
        await page.SelectOptionAsync("#schedule-kind", "every");
        await page.FillAsync("#schedule-when", "5s");
        await page.SelectOptionAsync("#schedule-mode", "cluster");
        await page.SelectOptionAsync("#schedule-catch-up", "skip");
        await page.FillAsync("#schedule-id", "ui-form-5s");
        await page.FillAsync("#schedule-payload", "ping from the form");
        await page.ClickAsync("#schedule-create-button");
        await page.WaitForURLAsync("**/agents/ui-sched?done=schedule-created");
        await Expect(page.Locator("#agent-message")).ToContainTextAsync("Schedule created.");
        await Expect(page.Locator("#agent-schedules tr[data-schedule='ui-form-5s']")).ToContainTextAsync("cluster: every live replica");
        await Expect(page.Locator("#agent-schedules tr[data-schedule='ui-form-5s']")).ToContainTextAsync("skipped (catch_up skip)");
        var stored = Assert.Single(await SchedulesAsync("ui-sched"));
        Assert.Equal(("ui-form-5s", "5s", "cluster", "skip", "ping from the form"), (stored.GetProperty("id").GetString(), stored.GetProperty("every").GetString(),
            stored.GetProperty("mode").GetString(), stored.GetProperty("catch_up").GetString(), stored.GetProperty("payload").GetString()));
        await page.ReloadAsync(); // the GET after the redirect: reloading creates nothing
        Assert.Single(await SchedulesAsync("ui-sched"));
        // The replicas table shows the run's last fire once one is delivered, without a reload (the stream re-reads it).
        await page.EvaluateAsync("() => { window.meshNoReload = true; }");
        await Expect(page.Locator("#agent-replicas tr[data-replica='ui-sched'] .last-fire time[data-ago]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.meshNoReload === true"), "the page reloaded");
        await Browser.ScreenshotAsync(page, "schedules-01-created");

        // Without the antiforgery token: 400, nothing created or deleted.
        Assert.Equal(400, (await root.APIRequest.PostAsync("/agents/ui-sched?handler=ScheduleCreate", new() { Form = Form(root, ("Kind", "every"), ("When", "9s"), ("Payload", "x")) })).Status);
        Assert.Equal(400, (await root.APIRequest.PostAsync("/agents/ui-sched?handler=ScheduleDelete", new() { Form = Form(root, ("schedule", "ui-form-5s")) })).Status);
        Assert.Single(await SchedulesAsync("ui-sched"));

        // A viewer sees the schedules but no form, and gets 403 with a valid token.
        await page.GotoAsync("/access");
        await page.FillAsync("#viewer-name", "schedule-watcher");
        await page.FillAsync("#viewer-password", "schedule-watcher-password-1");
        await page.ClickAsync("form[action='/access?handler=CreateViewer'] button");
        await page.WaitForSelectorAsync("#access-message:has-text('created')");
        var viewerContext = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = cluster.Admin.BaseAddress!.ToString() });
        var viewer = await viewerContext.NewPageAsync();
        await MailboxUiTests.LoginAsync(viewer, "schedule-watcher", "schedule-watcher-password-1");
        await viewer.GotoAsync("/agents/ui-sched");
        await Expect(viewer.Locator("#agent-schedules tr[data-schedule='ui-form-5s']")).ToBeVisibleAsync();
        Assert.Equal(0, await viewer.Locator("#schedule-create, #schedule-delete").CountAsync());
        var headers = JsonDocument.Parse((await viewer.GetAttributeAsync("body", "hx-headers"))!).RootElement;
        var withToken = new Dictionary<string, string> { ["RequestVerificationToken"] = headers.GetProperty("RequestVerificationToken").GetString()! };
        Assert.Equal(403, (await viewerContext.APIRequest.PostAsync("/agents/ui-sched?handler=ScheduleCreate", new() { Headers = withToken, Form = Form(viewerContext, ("Kind", "every"), ("When", "9s"), ("Payload", "x")) })).Status);
        Assert.Equal(403, (await viewerContext.APIRequest.PostAsync("/agents/ui-sched?handler=ScheduleDelete", new() { Headers = withToken, Form = Form(viewerContext, ("schedule", "ui-form-5s")) })).Status);
        Assert.Single(await SchedulesAsync("ui-sched"));

        // Root deletes it from the page: post/redirect/get, gone from REST and from the table.
        await page.GotoAsync("/agents/ui-sched");
        await page.SelectOptionAsync("#schedule-delete-id", "ui-form-5s");
        await page.ClickAsync("#schedule-delete-button");
        await page.WaitForURLAsync("**/agents/ui-sched?done=schedule-deleted");
        await Expect(page.Locator("#agent-message")).ToContainTextAsync("Schedule deleted");
        await Expect(page.Locator("#agent-schedules-none")).ToBeVisibleAsync();
        Assert.Empty(await SchedulesAsync("ui-sched"));
        Assert.DoesNotContain(consoleErrors, e => !e.Contains("400", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/ui-sched")).Status);
    }

    private async Task<List<JsonElement>> SchedulesAsync(string agent)
    {
        var (status, body) = await cluster.SendAsync(HttpMethod.Get, $"/api/admin/agents/{agent}/schedules");
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. body.GetProperty("schedules").EnumerateArray()];
    }

    private static IFormData Form(IBrowserContext context, params (string Name, string Value)[] fields)
    {
        var form = context.APIRequest.CreateFormData();
        foreach (var (name, value) in fields)
            form.Set(name, value);
        return form;
    }
}
