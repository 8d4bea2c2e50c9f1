using System.Text.Json;
using Mesh.IntegrationTests.Agents;
using Mesh.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>
/// The Agents pages in Debian's chromium against a real mesh (hub process, two node processes, real agent runs):
/// create on a chosen node through the form, start and stop from the agent's page while another tab watches the
/// row change live; markup in an agent's name, command and output stays text; antiforgery and the viewer role.
/// </summary>
public sealed class AgentsUiTests(AgentCluster cluster) : IClassFixture<AgentCluster>
{
    private const string Script = "<script>window.meshXss=1;alert(1)</script>";
    private const string Img = "<img src=x onerror=\"window.meshXss=2;alert(2)\">";
    private static readonly LocatorAssertionsToHaveAttributeOptions Live = new() { Timeout = 20_000 };

    [Fact]
    public async Task CreateOnChosenNode_StartShowsRunningLiveWithoutReload_StopShowsStopped()
    {
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (context, page) = await OpenAsRootAsync(browser, cluster, consoleErrors);

        // The nav leads to the page; the node select shows each node with its state and capabilities.
        await page.ClickAsync("header nav a:text('Agents')");
        await page.WaitForSelectorAsync("h1:text('Agents')");
        await Expect(page.Locator("#new-agent-placement option[value=n2]")).ToContainTextAsync("n2 — online");
        await Expect(page.Locator("#new-agent-placement option[value=n2]")).ToContainTextAsync("capabilities:");
        await page.FillAsync("#new-agent-id", "ui-sleeper");
        await page.FillAsync("#new-agent-name", "UI sleeper");
        await page.SelectOptionAsync("#new-agent-placement", "n2");
        await page.FillAsync("#new-agent-command", "sh\n-c\necho sleeper up; exec sleep 1000");
        await page.FillAsync("#new-agent-environment", "GREETING=hello");
        await page.FillAsync("#new-agent-stop_grace_seconds", "2");
        await page.UncheckAsync("#new-agent-start_now");
        await page.ClickAsync("#create-agent-submit");
        await page.WaitForURLAsync("**/agents/ui-sleeper?done=created");
        await Expect(page.Locator("#agent-message")).ToHaveTextAsync("Agent created.");
        await Expect(page.Locator("#agent-desired")).ToHaveTextAsync("stopped");
        Assert.Equal("n2", (await cluster.AgentAsync("ui-sleeper")).GetProperty("node_id").GetString());

        // A second tab watches the list; it must never reload.
        var list = await context.NewPageAsync();
        await list.GotoAsync("/agents");
        await list.EvaluateAsync("() => { window.meshNoReload = true; }");
        var row = list.Locator("#agent-ui-sleeper");
        await Expect(row).ToContainTextAsync("UI sleeper");
        await Expect(row.Locator("a[href='/nodes/n2']")).ToHaveTextAsync("n2");

        await page.ClickAsync("#agent-start");
        await page.WaitForURLAsync("**/agents/ui-sleeper?done=started");
        await Expect(row).ToHaveAttributeAsync("data-state", "running", Live);
        await Expect(row.Locator("time[data-uptime]")).ToBeVisibleAsync();
        await Expect(page.Locator("#agent-output-running")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        Assert.True(await list.EvaluateAsync<bool>("() => window.meshNoReload === true"), "the list reloaded");
        await Browser.ScreenshotAsync(list, "agents-01-running");

        await page.ClickAsync("#agent-stop");
        await page.WaitForURLAsync("**/agents/ui-sleeper?done=stopped");
        await Expect(row).ToHaveAttributeAsync("data-state", "stopped", Live);
        await Expect(row).ToContainTextAsync("stopped, signal 15 (SIGTERM)");
        Assert.True(await list.EvaluateAsync<bool>("() => window.meshNoReload === true"), "the list reloaded");
        // The agent's own page is live too: its status, last output lines and runs arrive without a reload.
        await page.EvaluateAsync("() => { window.meshNoReload = true; }");
        await Expect(page.Locator("#agent-output")).ToContainTextAsync("sleeper up", new() { Timeout = 20_000 });
        await Expect(page.Locator("#agent-runs tbody tr")).ToHaveCountAsync(1);
        Assert.True(await page.EvaluateAsync<bool>("() => window.meshNoReload === true"));
        await Browser.ScreenshotAsync(page, "agents-02-stopped-detail");

        // The node's page lists it.
        await page.GotoAsync("/nodes/n2");
        await Expect(page.Locator("#node-agent-ui-sleeper")).ToContainTextAsync("stopped");
        Assert.Empty(consoleErrors);
    }

    [Fact]
    public async Task ScaleFromTheAgentPage_ReplicasAppearLiveInAnotherTabAndInTheList()
    {
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (context, page) = await OpenAsRootAsync(browser, cluster, consoleErrors);
        await CreateSleeperAsync("ui-scaled");

        // A second tab watches the agent's page and a third the list; neither reloads.
        var watcher = await context.NewPageAsync();
        await watcher.GotoAsync("/agents/ui-scaled");
        await watcher.EvaluateAsync("() => { window.meshNoReload = true; }");
        var list = await context.NewPageAsync();
        await list.GotoAsync("/agents");
        await list.EvaluateAsync("() => { window.meshNoReload = true; }");
        await Expect(watcher.Locator("#agent-replicas tbody tr")).ToHaveCountAsync(1);

        await page.GotoAsync("/agents/ui-scaled");
        await page.FillAsync("#agent-replicas-count", "3");
        await page.ClickAsync("#agent-scale");
        await page.WaitForURLAsync("**/agents/ui-scaled?done=scaled");
        var names = AgentsReplicaNames(await cluster.AgentAsync("ui-scaled"));
        Assert.Equal(2, names.Count);
        foreach (var name in names)
        {
            await Expect(watcher.Locator($"#agent-replicas tr[data-replica='{name}']")).ToContainTextAsync("running", new() { Timeout = 20_000 });
            await Expect(list.Locator($"#agent-ui-scaled li[data-replica='{name}']")).ToHaveAttributeAsync("data-state", "running", Live);
        }

        // A schedule shows on the page with its next fire time, which moves on live.
        var (scheduled, schedule) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/ui-scaled/schedules", """{"id":"ui-every","every":"2s","mode":"cluster","catch_up":"skip","payload":"tick"}""");
        Assert.True(scheduled == System.Net.HttpStatusCode.Created, schedule.ToString());
        var next = watcher.Locator("#agent-schedules tr[data-schedule='ui-every'] .next-fire time");
        await Expect(next).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Expect(watcher.Locator("#agent-schedules tr[data-schedule='ui-every']")).ToContainTextAsync("skipped (catch_up skip)");
        var firstNext = await next.GetAttributeAsync("datetime");
        await Expect(next).Not.ToHaveAttributeAsync("datetime", firstNext!, new() { Timeout = 10_000 });
        await Expect(watcher.Locator("#agent-schedules tr[data-schedule='ui-every']")).ToContainTextAsync("delivered", new() { Timeout = 10_000 });

        Assert.True(await watcher.EvaluateAsync<bool>("() => window.meshNoReload === true"), "the agent page reloaded");
        Assert.True(await list.EvaluateAsync<bool>("() => window.meshNoReload === true"), "the list reloaded");
        await Browser.ScreenshotAsync(watcher, "agents-03-replicas");

        // A bad count is refused on the page (a 400, which the browser logs) with the reason, and nothing changes.
        Assert.Empty(consoleErrors);
        await page.EvaluateAsync("() => document.getElementById('agent-replicas-count').removeAttribute('max')");
        await page.FillAsync("#agent-replicas-count", "101");
        await page.ClickAsync("#agent-scale");
        await Expect(page.Locator("#agent-message")).ToContainTextAsync("above the limit of 100");
        Assert.Equal(3, (await cluster.AgentAsync("ui-scaled")).GetProperty("replicas").GetInt32());
        Assert.All(consoleErrors, e => Assert.Contains("400", e, StringComparison.Ordinal));
        consoleErrors.Clear();

        // Scaling down from the page: the replica leaves the watcher's table live.
        await page.FillAsync("#agent-replicas-count", "2");
        await page.ClickAsync("#agent-scale");
        await page.WaitForURLAsync("**/agents/ui-scaled?done=scaled");
        await Expect(watcher.Locator("#agent-replicas tbody tr")).ToHaveCountAsync(2, new() { Timeout = 20_000 });
        Assert.Empty(consoleErrors);
        await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/ui-scaled");
    }

    [Fact]
    public async Task RowEventsInQuickSuccession_EachLandsOnTheRowJustSwappedIn()
    {
        // htmx registers a swapped-in row's sse-swap when the swap settles (20 ms by default): an event for the row in
        // that window was lost and the row stayed stale. Here the three events arrive in one body, within a millisecond.
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (_, page) = await OpenAsRootAsync(browser, cluster, consoleErrors);
        static string Row(string state) =>
            $"""<tr id="agent-burst" sse-swap="agent-burst" hx-swap="outerHTML" data-state="{state}"><td>burst</td></tr>""";
        var body = "retry: 600000\n\n"
            + "event: table\ndata: " + Row("pending") + "\n\n"
            + "event: agent-burst\ndata: " + Row("starting") + "\n\n"
            + "event: agent-burst\ndata: " + Row("running") + "\n\n";
        await page.RouteAsync("**/ui/agents/stream", route => route.FulfillAsync(new() { Status = 200, ContentType = "text/event-stream", Body = body }));

        await page.GotoAsync("/agents");
        await Expect(page.Locator("#agent-burst")).ToHaveAttributeAsync("data-state", "running", Live);
        // The fulfilled body ends, so the browser logs the closed event stream; nothing else.
        Assert.All(consoleErrors, e => Assert.Equal("Event", e));
    }

    [Fact]
    public async Task DeleteFromItsOwnPage_AnotherTabOnThePageSaysDeletedAndNeitherLogsAnError()
    {
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (context, page) = await OpenAsRootAsync(browser, cluster, consoleErrors);
        await CreateSleeperAsync("ui-doomed");
        var watcher = await context.NewPageAsync();
        await watcher.GotoAsync("/agents/ui-doomed");
        await watcher.EvaluateAsync("() => { window.meshNoReload = true; document.body.addEventListener('htmx:sseClose', () => { window.meshSseClosed = true; }); }");
        await Expect(watcher.Locator("#agent-status")).ToContainTextAsync("running", new() { Timeout = 20_000 });

        await page.GotoAsync("/agents/ui-doomed");
        await page.CheckAsync("#delete-confirm");
        await page.ClickAsync("#agent-delete");
        await page.WaitForURLAsync("**/agents?deleted=ui-doomed");
        await Expect(watcher.Locator("#agent-deleted")).ToHaveTextAsync("This agent was deleted.", new() { Timeout = 20_000 });
        // The stream said so and the page closed it: no retry (which would be a 404 the browser logs).
        await watcher.WaitForFunctionAsync("() => window.meshSseClosed === true");
        Assert.True(await watcher.EvaluateAsync<bool>("() => window.meshNoReload === true"), "the agent page reloaded");
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }

    private static List<string> AgentsReplicaNames(JsonElement agent) =>
        [.. agent.GetProperty("replica_list").EnumerateArray().Select(r => r.GetProperty("name").GetString()!)];

    [Fact]
    public async Task MarkupInNameCommandAndOutput_IsText_PostsWithoutAntiforgery400_ViewerPosts403()
    {
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (root, page) = await browser.OpenPageAsync(new Uri(cluster.Admin.BaseAddress!, "/"), consoleErrors);
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) => dialogs.Add(dialog.Message);
        await MailboxUiTests.LoginAsync(page, "root", await RootPasswordAsync(cluster));

        // Name, command and the run's output carry markup; every page shows it as text and nothing runs.
        await page.GotoAsync("/agents");
        await page.FillAsync("#new-agent-id", "xss-agent");
        await page.FillAsync("#new-agent-name", Script);
        await page.SelectOptionAsync("#new-agent-placement", "n1");
        await page.FillAsync("#new-agent-command", $"sh\n-c\necho '{Img}'; echo '{Script}'; exit 4");
        await page.SelectOptionAsync("#new-agent-restart_policy", "never");
        await page.ClickAsync("#create-agent-submit");
        await page.WaitForURLAsync("**/agents/xss-agent?done=created");
        await Expect(page.Locator("h1")).ToContainTextAsync(Script);
        await Expect(page.Locator("#agent-command")).ToContainTextAsync(Img);
        await Expect(page.Locator("#agent-output")).ToContainTextAsync(Img, new() { Timeout = 20_000 });
        await Expect(page.Locator("#agent-output")).ToContainTextAsync(Script);
        await Expect(page.Locator("#agent-status")).ToContainTextAsync("exited, code 4");
        await page.GotoAsync("/agents");
        await Expect(page.Locator("#agent-xss-agent")).ToContainTextAsync(Script);
        await Expect(page.Locator("#agent-xss-agent")).ToContainTextAsync(Img);
        await page.GotoAsync("/nodes/n1");
        await Expect(page.Locator("#node-agent-xss-agent")).ToContainTextAsync(Script);
        Assert.Equal(0, await page.Locator("main img, main script").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.meshXss ?? null"));
        Assert.Empty(dialogs);
        await Browser.ScreenshotAsync(page, "agents-03-xss-inert");

        // POSTs with the session cookie but no antiforgery token: 400, nothing changes.
        Assert.Equal(400, (await root.APIRequest.PostAsync("/agents?handler=Create", new() { Form = Form(root, ("id", "csrf-agent"), ("placement", "n1"), ("command", "true")) })).Status);
        Assert.Equal(400, (await root.APIRequest.PostAsync("/agents/xss-agent?handler=Start", new() { Form = Form(root) })).Status);
        Assert.Equal(400, (await root.APIRequest.PostAsync("/agents/xss-agent?handler=Delete", new() { Form = Form(root, ("confirm", "yes")) })).Status);
        Assert.Equal(404, (await root.APIRequest.GetAsync("/api/admin/agents/csrf-agent")).Status);
        Assert.Equal("exited", AgentCluster.State((await cluster.AgentAsync("xss-agent")).GetProperty("status")));

        // A viewer sees the pages without forms or buttons, and gets 403 on each POST even with a valid token.
        await page.GotoAsync("/access");
        await page.FillAsync("#viewer-name", "agent-watcher");
        await page.FillAsync("#viewer-password", "agent-watcher-password-1");
        await page.ClickAsync("form[action='/access?handler=CreateViewer'] button");
        await page.WaitForSelectorAsync("#access-message:has-text('created')");
        var viewerContext = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = cluster.Admin.BaseAddress!.ToString() });
        var viewer = await viewerContext.NewPageAsync();
        await MailboxUiTests.LoginAsync(viewer, "agent-watcher", "agent-watcher-password-1");
        await viewer.GotoAsync("/agents");
        await Expect(viewer.Locator("#agent-xss-agent")).ToHaveAttributeAsync("data-state", "exited");
        Assert.Equal(0, await viewer.Locator("#create-agent").CountAsync());
        await viewer.GotoAsync("/agents/xss-agent");
        await Expect(viewer.Locator("#agent-output")).ToContainTextAsync(Img);
        Assert.Equal(0, await viewer.Locator("#agent-start, #agent-stop, #agent-restart, #agent-kill, #agent-delete").CountAsync());
        var headers = JsonDocument.Parse((await viewer.GetAttributeAsync("body", "hx-headers"))!).RootElement;
        var withToken = new Dictionary<string, string> { ["RequestVerificationToken"] = headers.GetProperty("RequestVerificationToken").GetString()! };
        Assert.Equal(403, (await viewerContext.APIRequest.PostAsync("/agents?handler=Create", new() { Headers = withToken, Form = Form(viewerContext, ("id", "viewer-agent"), ("placement", "n1"), ("command", "true")) })).Status);
        foreach (var handler in new[] { "Start", "Stop", "Restart", "Kill", "Delete" })
            Assert.Equal(403, (await viewerContext.APIRequest.PostAsync($"/agents/xss-agent?handler={handler}", new() { Headers = withToken, Form = Form(viewerContext, ("confirm", "yes")) })).Status);
        Assert.Equal(404, (await root.APIRequest.GetAsync("/api/admin/agents/viewer-agent")).Status);
        Assert.Equal(200, (await root.APIRequest.GetAsync("/api/admin/agents/xss-agent")).Status);

        // The same token from root's session is accepted: the refusals above were the role, not the token.
        var rootHeaders = JsonDocument.Parse((await page.GetAttributeAsync("body", "hx-headers"))!).RootElement;
        var start = await root.APIRequest.PostAsync("/agents/xss-agent?handler=Start", new()
        {
            Headers = new Dictionary<string, string> { ["RequestVerificationToken"] = rootHeaders.GetProperty("RequestVerificationToken").GetString()! },
            Form = Form(root),
            MaxRedirects = 0,
        });
        Assert.Equal(302, start.Status);
        await AgentCluster.WaitUntilAsync(async () =>
        {
            var (_, runs) = await cluster.SendAsync(HttpMethod.Get, "/api/admin/agents/xss-agent/runs");
            return runs.GetProperty("runs").GetArrayLength() == 2;
        }, "a second run of xss-agent", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task OutputView_FollowsALiveRun_EscapesAndMarkupStayText_ResumesAfterADroppedConnectionWithNoLineTwice()
    {
        var command = JsonSerializer.Serialize(new[] { "sh", "-c",
            "printf '\\033]0;pwned\\007\\033[31mred\\033[0m <b>bold</b>\\n'; i=1; while [ $i -le 400 ]; do echo line-$i; i=$((i+1)); sleep 0.02; done; exec sleep 1000" });
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", $$"""{"id":"ui-counter","placement":"n1","command":{{command}},"stop_grace_seconds":1}""");
        Assert.True(status == System.Net.HttpStatusCode.Created, body.ToString());
        await cluster.WaitForAgentAsync("ui-counter", s => AgentCluster.State(s) == "running");

        await using var browser = await Browser.LaunchAsync();
        var (context, page) = await OpenAsRootAsync(browser, cluster, []);
        await page.GotoAsync("/agents/ui-counter");
        var output = page.Locator("#run-output pre");
        await Expect(output).ToContainTextAsync("line-50", new() { Timeout = 20_000 });

        // The browser loses its connection for a while; EventSource comes back with Last-Event-ID.
        await context.SetOfflineAsync(true);
        await Task.Delay(2000);
        await context.SetOfflineAsync(false);
        await Expect(output).ToContainTextAsync("line-400", new() { Timeout = 40_000 });

        var text = await output.InnerTextAsync();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("line-", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(1, 400).Select(i => $"line-{i}"), lines);
        Assert.Contains("red <b>bold</b>", text, StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#run-output pre b").CountAsync());
        Assert.NotEqual("pwned", await page.TitleAsync());
        await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/ui-counter/kill");
    }

    [Fact]
    public async Task OutputView_LastLineIsHowTheRunEnded_LiveAndAfterReload()
    {
        // The run waits for a line of input, so it ends while the page watches it.
        var command = JsonSerializer.Serialize(new[] { "sh", "-c", "echo waiting; read line; echo got $line; exit 3" });
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            $$"""{"id":"ui-exit","placement":"n1","command":{{command}},"interactive":true,"restart_policy":"never"}""");
        Assert.True(status == System.Net.HttpStatusCode.Created, body.ToString());
        await cluster.WaitForAgentAsync("ui-exit", s => AgentCluster.State(s) == "running");

        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (_, page) = await OpenAsRootAsync(browser, cluster, consoleErrors);
        await page.GotoAsync("/agents/ui-exit");
        var output = page.Locator("#run-output pre");
        await Expect(output).ToContainTextAsync("waiting", new() { Timeout = 20_000 });
        Assert.Equal(0, await output.Locator(".output-marker").CountAsync());

        var (sent, answer) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/ui-exit/input", """{"text":"bye\n"}""");
        Assert.True(sent == System.Net.HttpStatusCode.OK, answer.ToString());
        await Expect(output.Locator(".output-marker")).ToHaveTextAsync("— exited, code 3 —", new() { Timeout = 20_000 });
        Assert.Equal(["waiting", "got bye", "— exited, code 3 —"], Lines(await output.InnerTextAsync()));

        // On reload the view replays the run's output from the hub and ends with the same line.
        await page.ReloadAsync();
        await Expect(output.Locator(".output-marker")).ToHaveTextAsync("— exited, code 3 —", new() { Timeout = 20_000 });
        Assert.Equal(["waiting", "got bye", "— exited, code 3 —"], Lines(await output.InnerTextAsync()));
        Assert.Empty(consoleErrors);

        static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>An agent that sleeps, created over REST and started on a node of the hub's choice.</summary>
    private async Task CreateSleeperAsync(string id)
    {
        var (created, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", $$"""{"id":"{{id}}","command":["sh","-c","exec sleep 1000"],"stop_grace_seconds":1}""");
        Assert.True(created == System.Net.HttpStatusCode.Created, body.ToString());
    }

    /// <summary>A page of the cluster's hub in a new context of <paramref name="browser"/>, logged in as root.</summary>
    internal static async Task<(IBrowserContext Context, IPage Page)> OpenAsRootAsync(Browser browser, AgentCluster cluster, List<string> consoleErrors)
    {
        var (context, page) = await browser.OpenPageAsync(new Uri(cluster.Admin.BaseAddress!, "/"), consoleErrors);
        await MailboxUiTests.LoginAsync(page, "root", await RootPasswordAsync(cluster));
        return (context, page);
    }

    internal static async Task<string> RootPasswordAsync(AgentCluster cluster)
    {
        var line = await cluster.Hub.WaitForTextAsync("one-time password", TimeSpan.FromSeconds(5));
        return line[(line.IndexOf("one-time password ", StringComparison.Ordinal) + "one-time password ".Length)..].Split(' ')[0];
    }

    internal static IFormData Form(IBrowserContext context, params (string Name, string Value)[] fields)
    {
        var form = context.APIRequest.CreateFormData();
        foreach (var (name, value) in fields)
            form.Set(name, value);
        return form;
    }
}
