using System.Text.Json;
using System.Text.RegularExpressions;
using Mesh.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>
/// The Mailboxes and Reviews pages in a real browser against a real hub process, with the real <c>actor</c> CLI and
/// the REST API changing things while the pages are open. A screenshot per step.
/// </summary>
public sealed partial class MailboxUiTests
{
    private static readonly LocatorAssertionsToHaveTextOptions Live = new() { Timeout = 20_000 };

    [Fact]
    public async Task CreateActors_SendFromUi_LiveInbox_AckUpdatesCount_AnswerReviewFromUi()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var consoleErrors = new List<string>();
        var (context, page) = await browser.OpenPageAsync(hub.WebUrl, consoleErrors);
        await LoginAsync(page, "root", hub.RootPassword);

        // 1. The nav leads to the Mailboxes page; creating an actor with a bad id shows the service's reason inline.
        await page.ClickAsync("header nav a:text('Mailboxes')");
        await page.WaitForSelectorAsync("h1:text('Mailboxes')");
        Assert.Equal(1, await page.Locator("header nav a:text('Reviews')").CountAsync());
        await page.FillAsync("#new-actor-id", "x");
        await page.ClickAsync("#create-actor-submit");
        await Expect(page.Locator("#new-actor-id-error")).ToContainTextAsync("2 to 64 characters");
        Assert.Equal("true", await page.GetAttributeAsync("#new-actor-id", "aria-invalid"));
        await page.FillAsync("#new-actor-id", "ui-worker");
        await page.FillAsync("#new-actor-team_id", "bad team!");
        await page.ClickAsync("#create-actor-submit");
        await Expect(page.Locator("#new-actor-team_id-error")).ToContainTextAsync("team id:");
        Assert.Equal("ui-worker", await page.InputValueAsync("#new-actor-id")); // what was typed is kept

        // 2. Three actors in team "web" (worker, reviewer, lead); a duplicate id is refused on the id field.
        await CreateActorAsync(page, "ui-worker", "UI Worker", "web", "worker");
        await CreateActorAsync(page, "ui-reviewer", "UI Reviewer", "web", "reviewer");
        await CreateActorAsync(page, "ui-lead", "UI Lead", "web", "lead");
        await page.FillAsync("#new-actor-id", "ui-lead");
        await page.ClickAsync("#create-actor-submit");
        await Expect(page.Locator("#new-actor-id-error")).ToContainTextAsync("already exists");
        await page.GotoAsync("/mailboxes");
        var team = await page.TextContentAsync("#team-web");
        foreach (var member in new[] { "ui-lead lead", "ui-reviewer reviewer", "ui-worker worker" })
            Assert.Contains(member, Regex.Replace(team!, @"\s+", " "), StringComparison.Ordinal);
        await Expect(page.Locator("#actor-row-ui-reviewer td").Nth(3)).ToHaveTextAsync("reviewer");
        await Expect(page.Locator("#pending-ui-worker")).ToHaveTextAsync("0");
        await Browser.ScreenshotAsync(page, "mailbox-01-actors");
        consoleErrors.Clear(); // the browser reports the deliberate 400 and 409 answers

        // 3. The worker's inbox: send from the UI (htmx, no reload); the new id shows inline and the row arrives live.
        await page.ClickAsync("#actor-row-ui-worker a");
        await page.WaitForSelectorAsync("h1:has-text('UI Worker')");
        await page.EvaluateAsync("() => { window.meshNoReload = true; }");
        await page.FillAsync("#send-payload", "hello from the UI");
        await page.FillAsync("#send-channel", "ops");
        await page.ClickAsync("#send-submit");
        var uiId = (await page.Locator("#sent-id").TextContentAsync())!.Trim();
        await Expect(page.Locator($"#msg-{uiId}")).ToContainTextAsync("hello from the UI", new() { Timeout = 20_000 });
        await Expect(page.Locator($"#msg-{uiId} td").Nth(3)).ToHaveTextAsync("ops");
        await Expect(page.Locator("#pending-count")).ToHaveTextAsync("1", Live);

        // 4. Refusals come back inline with the service's words: unknown recipient, invalid JSON, payload over the limit.
        await page.FillAsync("#send-to", "nobody");
        await page.FillAsync("#send-payload", "lost");
        await page.ClickAsync("#send-submit");
        await Expect(page.Locator("#send-error")).ToContainTextAsync("no actor 'nobody' to send to");
        await Expect(page.Locator("#send-error")).ToContainTextAsync("NOT_FOUND");
        Assert.Equal("lost", await page.InputValueAsync("#send-payload"));
        await page.FillAsync("#send-to", "ui-worker");
        await page.CheckAsync("#send-kind-json");
        await page.FillAsync("#send-payload", "{\"task\": ");
        await page.ClickAsync("#send-submit");
        await Expect(page.Locator("#send-error")).ToContainTextAsync("the payload is not valid JSON");
        await page.CheckAsync("#send-kind-text");
        await page.FillAsync("#send-payload", new string('x', (1024 * 1024) + 1));
        await page.ClickAsync("#send-submit");
        await Expect(page.Locator("#send-error")).ToContainTextAsync("the payload is 1048577 bytes; the limit is 1048576");
        await Expect(page.Locator("#send-error")).ToContainTextAsync("RESOURCE_EXHAUSTED");
        await Browser.ScreenshotAsync(page, "mailbox-02-send-error");

        // 5. A JSON message to the team channel: each member gets its own copy; the worker's row arrives live.
        await page.CheckAsync("#send-target-team");
        await page.CheckAsync("#send-kind-json");
        await page.FillAsync("#send-payload", "{\"task\":\"build\",\"ok\":true}");
        await page.ClickAsync("#send-submit");
        await Expect(page.Locator("#send-ok")).ToContainTextAsync("ui-lead, ui-reviewer, ui-worker");
        await Expect(page.Locator("#inbox-body tr").First).ToContainTextAsync("{\"task\":\"build\",\"ok\":true}", new() { Timeout = 20_000 });
        await page.Locator("#inbox-body tr").First.Locator("summary").ClickAsync(); // JSON opens indented
        await Expect(page.Locator("#inbox-body tr").First.Locator("pre.payload")).ToHaveTextAsync("{\n  \"task\": \"build\",\n  \"ok\": true\n}");
        await Expect(page.Locator("#pending-count")).ToHaveTextAsync("2", Live);

        // 6. Sent through REST while the page is open: the rows appear without a reload, newest first, markup inert,
        //    a long payload collapsed behind "show all".
        var restId = await SendOverRestAsync(context, new { to_actor_id = "ui-worker", text = "from REST", channel = "ci", run_id = "run-7" });
        await Expect(page.Locator($"#msg-{restId}")).ToContainTextAsync("from REST", new() { Timeout = 20_000 });
        await Expect(page.Locator($"#msg-{restId} td").Nth(4)).ToHaveTextAsync("run-7");
        const string xss = "<img src=x onerror=\"window.meshXss=1\"><script>window.meshXss=2</script>";
        var xssId = await SendOverRestAsync(context, new { to_actor_id = "ui-worker", text = xss });
        var longText = "start " + string.Concat(Enumerable.Repeat("0123456789", 60)) + " end-of-long-payload";
        var longId = await SendOverRestAsync(context, new { to_actor_id = "ui-worker", text = longText });
        await Expect(page.Locator($"#msg-{longId}")).ToContainTextAsync("show all", new() { Timeout = 20_000 });
        await Expect(page.Locator($"#msg-{xssId}")).ToContainTextAsync(xss);
        Assert.Equal(0, await page.Locator("#inbox-body img, #inbox-body script").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.meshXss ?? null"));
        Assert.False(await page.Locator($"#msg-{longId} pre.payload").IsVisibleAsync());
        await page.ClickAsync($"#msg-{longId} summary");
        await Expect(page.Locator($"#msg-{longId} pre.payload")).ToContainTextAsync("end-of-long-payload");
        var order = await page.Locator("#inbox-body tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.id)");
        Assert.Equal([$"msg-{longId}", $"msg-{xssId}", $"msg-{restId}"], order[..3]);
        await Expect(page.Locator("#pending-count")).ToHaveTextAsync("5", Live);
        Assert.True(await page.EvaluateAsync<bool>("() => window.meshNoReload === true"));
        await Browser.ScreenshotAsync(page, "mailbox-03-inbox-live");

        // 7. An ack through the actor CLI (root acting for the worker): the open page's pending count drops and the acked
        //    rows turn delivered, no reload.
        var ack = await ActorCommand.RunAsync(hub, "--json", "--actor-id", "ui-worker", "ack", "--message-id", restId, "--message-id", xssId);
        Assert.True(ack.ExitCode == 0, ack.ToString());
        await Expect(page.Locator("#pending-count")).ToHaveTextAsync("3", Live);
        await Expect(page.Locator($"#msg-{restId}")).ToHaveAttributeAsync("data-status", "delivered", new() { Timeout = 20_000 });
        await Expect(page.Locator($"#msg-{xssId} .badge")).ToHaveTextAsync("delivered");
        await Expect(page.Locator($"#msg-{longId}")).ToHaveAttributeAsync("data-status", "pending");
        await Expect(page.Locator($"#msg-{uiId}")).ToHaveAttributeAsync("data-status", "pending");
        Assert.Equal(1, await page.Locator($"#msg-{restId}").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.meshNoReload === true"));
        await Browser.ScreenshotAsync(page, "mailbox-03b-acked");
        var list = await context.NewPageAsync();
        await list.GotoAsync("/mailboxes");
        await Expect(list.Locator("#pending-ui-worker")).ToHaveTextAsync("3");
        await Expect(list.Locator("#pending-ui-lead")).ToHaveTextAsync("1");
        await SendOverRestAsync(context, new { to_actor_id = "ui-lead", text = "count me" });
        await Expect(list.Locator("#pending-ui-lead")).ToHaveTextAsync("2", Live); // the list's counts are live too

        // 8. A permission review asked by the worker (actor CLI, waiting for the answer) appears on the open Reviews page.
        var reviews = await context.NewPageAsync();
        await reviews.GotoAsync("/reviews");
        await reviews.EvaluateAsync("() => { window.meshNoReload = true; }");
        await using var asker = ActorCommand.Start(hub, "--json", "--timeout-seconds", "90", "--actor-id", "ui-worker", "permission-request",
            "--title", "deploy <b>main</b>?", "--details", "to staging", "--option", "allow=Allow", "--option", "deny=Deny", "--wait");
        var card = reviews.Locator("article.review[data-status=pending]", new() { HasText = "deploy <b>main</b>?" });
        await Expect(card).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        var reviewId = (await card.GetAttributeAsync("id"))!["review-".Length..];
        await Expect(card).ToContainTextAsync("ui-reviewer"); // the assigned reviewer
        await Expect(card).ToContainTextAsync("to staging");
        await Browser.ScreenshotAsync(reviews, "mailbox-04-review-pending");

        // 9. Answer with a button: inline confirmation, the review moves to the answered list, the asker's wait returns it.
        await card.Locator("button[data-option=allow]").ClickAsync();
        await Expect(reviews.Locator("#review-result")).ToHaveTextAsync($"Answered review {reviewId} with 'allow'.");
        await Expect(reviews.Locator($"#closed-review-{reviewId}")).ToContainTextAsync("allow", new() { Timeout = 20_000 });
        await Expect(reviews.Locator($"#review-{reviewId}")).ToHaveCountAsync(0);
        Assert.Equal(0, await asker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        using (var answered = JsonDocument.Parse(asker.StandardOutput))
        {
            Assert.Equal("answered", answered.RootElement.GetProperty("status").GetString());
            Assert.Equal("allow", answered.RootElement.GetProperty("option_id").GetString());
            Assert.Equal("root", answered.RootElement.GetProperty("answered_by").GetString());
        }

        Assert.True(await reviews.EvaluateAsync<bool>("() => window.meshNoReload === true"));
        await Browser.ScreenshotAsync(reviews, "mailbox-05-review-answered");

        // 10. A stale answer: a page that stopped receiving updates answers a review someone already answered over REST.
        var stale = await context.NewPageAsync();
        await stale.RouteAsync("**/ui/reviews/stream", route => route.AbortAsync());
        var second = await RequestReviewAsync(hub, "ui-lead", "rotate the keys?");
        await stale.GotoAsync("/reviews");
        var respond = await context.APIRequest.PostAsync($"/api/admin/reviews/{second}/respond", new() { DataObject = new { option_id = "deny" } });
        Assert.Equal(200, respond.Status);
        await stale.Locator($"#review-{second} button[data-option=allow]").ClickAsync();
        await Expect(stale.Locator("#review-result")).ToContainTextAsync($"permission review {second} was already answered 'deny' by root");
        Assert.Equal("error", await stale.GetAttributeAsync("#review-result", "class"));
        await Browser.ScreenshotAsync(stale, "mailbox-06-review-stale");

        // 11. Cancel from the live page: it moves to the answered list as cancelled.
        var third = await RequestReviewAsync(hub, "ui-worker", "clean the cache?");
        var thirdCard = reviews.Locator($"#review-{third}");
        await Expect(thirdCard).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await thirdCard.Locator("button.cancel").ClickAsync();
        await Expect(reviews.Locator($"#closed-review-{third}")).ToHaveAttributeAsync("data-status", "cancelled", new() { Timeout = 20_000 });
        await Expect(reviews.Locator($"#closed-review-{second}")).ToContainTextAsync("deny");

        // 12. Delete an actor: the confirmation box must be ticked first.
        await page.GotoAsync("/mailboxes");
        await CreateActorAsync(page, "ui-temp", "Temporary", "", "worker");
        await page.ClickAsync("#actor-row-ui-temp details summary");
        await page.ClickAsync("#delete-ui-temp");
        Assert.EndsWith("/mailboxes?created=ui-temp", page.Url, StringComparison.Ordinal); // the required checkbox kept the form from submitting
        await page.CheckAsync("#delete-confirm-ui-temp");
        await page.ClickAsync("#delete-ui-temp");
        await Expect(page.Locator("#mailboxes-message")).ToHaveTextAsync("Deleted actor 'ui-temp'.");
        Assert.Equal(0, await page.Locator("#actor-row-ui-temp").CountAsync());
        Assert.Equal(404, (await context.APIRequest.GetAsync("/api/admin/actors/ui-temp")).Status);

        // 13. The audit log records what the UI did.
        await page.GotoAsync("/audit");
        var audit = await page.TextContentAsync("#audit");
        foreach (var action in new[] { "actor.created", "actor.deleted", "message.sent", "review.answered" })
            Assert.Contains(action, audit, StringComparison.Ordinal);
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }

    private static async Task CreateActorAsync(IPage page, string id, string name, string teamId, string role)
    {
        await page.FillAsync("#new-actor-id", id);
        await page.FillAsync("#new-actor-name", name);
        await page.FillAsync("#new-actor-team_id", teamId);
        await page.SelectOptionAsync("#new-actor-role", role);
        await page.ClickAsync("#create-actor-submit");
        await Expect(page.Locator("#mailboxes-message")).ToHaveTextAsync($"Created actor '{id}'.");
        await Expect(page.Locator($"#actor-row-{id}")).ToContainTextAsync(name);
    }

    /// <summary>POST /api/admin/messages with the browser's session cookie; returns the message id.</summary>
    internal static async Task<string> SendOverRestAsync(IBrowserContext context, object body)
    {
        var response = await context.APIRequest.PostAsync("/api/admin/messages", new() { DataObject = body });
        Assert.True(response.Status == 201, $"{response.Status}: {await response.TextAsync()}");
        using var json = JsonDocument.Parse(await response.TextAsync());
        return json.RootElement.GetProperty("message_id").GetUInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static async Task<string> RequestReviewAsync(HubUnderTest hub, string actorId, string title)
    {
        var run = await ActorCommand.RunAsync(hub, "--json", "--actor-id", actorId, "permission-request", "--title", title, "--option", "allow=Allow", "--option", "deny=Deny");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Stdout);
        return json.RootElement.GetProperty("permission_id").GetUInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static Task LoginAsync(IPage page, string user, string password) => HubUnderTest.LoginAsync(page, user, password);
}
