using System.Net;
using System.Text.Json;
using Mesh.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mesh.IntegrationTests.Ui;

/// <summary>Antiforgery, the viewer role, XSS in actor names, payloads and reviews, and the streams' access rules and resume.</summary>
public sealed class MailboxUiSecurityTests
{
    private const string Xss = "<img src=x onerror=\"window.meshXss=1\"><script>window.meshXss=2</script>";

    [Fact]
    public async Task PostsWithoutAntiforgery_400_ViewerPosts_403_MarkupInert_StreamsNeedLoginAndResume()
    {
        await using var hub = await HubUnderTest.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var root = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = hub.WebUrl.ToString() });
        var page = await root.NewPageAsync();
        await MailboxUiTests.LoginAsync(page, "root", hub.RootPassword);

        // Markup in an actor's name, a message payload and a review's title, details and option label is shown as text.
        var created = await root.APIRequest.PostAsync("/api/admin/actors", new() { DataObject = new { id = "xss-actor", name = Xss, team_id = "red" } });
        Assert.Equal(201, created.Status);
        var first = await MailboxUiTests.SendOverRestAsync(root, new { to_actor_id = "xss-actor", text = Xss });
        var ask = await ActorCommand.RunAsync(hub, "--json", "--actor-id", "xss-actor", "permission-request", "--title", Xss, "--details", Xss, "--option", "ok=" + Xss);
        Assert.True(ask.ExitCode == 0, ask.ToString());
        var reviewId = JsonDocument.Parse(ask.Stdout).RootElement.GetProperty("permission_id").GetUInt64();

        await page.GotoAsync("/mailboxes");
        await Expect(page.Locator("#actor-row-xss-actor")).ToContainTextAsync(Xss);
        await page.GotoAsync("/mailboxes/xss-actor");
        await Expect(page.Locator("h1")).ToContainTextAsync(Xss);
        await Expect(page.Locator($"#msg-{first}")).ToContainTextAsync(Xss);
        await page.GotoAsync("/reviews");
        await Expect(page.Locator($"#review-{reviewId} h3")).ToContainTextAsync(Xss);
        await Expect(page.Locator($"#review-{reviewId} button[data-option=ok]")).ToHaveTextAsync(Xss);
        Assert.Equal(0, await page.Locator("main img, main script").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.meshXss ?? null"));
        await Browser.ScreenshotAsync(page, "mailbox-07-xss-inert");

        // POSTs with the session cookie but no antiforgery token: 400, nothing changes.
        Assert.Equal(400, (await root.APIRequest.PostAsync("/mailboxes?handler=Create", new() { Form = Form(root, ("id", "csrf-actor")) })).Status);
        Assert.Equal(404, (await root.APIRequest.GetAsync("/api/admin/actors/csrf-actor")).Status);
        Assert.Equal(400, (await root.APIRequest.PostAsync("/mailboxes?handler=Delete", new() { Form = Form(root, ("id", "xss-actor"), ("confirm", "yes")) })).Status);
        Assert.Equal(400, (await root.APIRequest.PostAsync("/mailboxes/xss-actor?handler=Send", new() { Form = Form(root, ("to_actor_id", "xss-actor"), ("payload", "forged")) })).Status);
        Assert.Equal(400, (await root.APIRequest.PostAsync("/reviews?handler=Answer", new() { Form = Form(root, ("id", reviewId.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("option", "ok")) })).Status);
        Assert.Equal(200, (await root.APIRequest.GetAsync("/api/admin/actors/xss-actor")).Status);
        Assert.Equal(1, await PendingAsync(root, "xss-actor"));
        Assert.Equal("pending", await ReviewStatusAsync(root, reviewId));

        // A viewer reads every page but sees no forms, and gets 403 on each POST even with a valid antiforgery token.
        await page.GotoAsync("/access");
        await page.FillAsync("#viewer-name", "watcher");
        await page.FillAsync("#viewer-password", "watcher-password-123");
        await page.ClickAsync("form[action='/access?handler=CreateViewer'] button");
        await page.WaitForSelectorAsync("#access-message:has-text('created')");
        var viewerContext = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = hub.WebUrl.ToString() });
        var viewer = await viewerContext.NewPageAsync();
        await MailboxUiTests.LoginAsync(viewer, "watcher", "watcher-password-123");
        await viewer.GotoAsync("/mailboxes");
        await Expect(viewer.Locator("#pending-xss-actor")).ToHaveTextAsync("1");
        Assert.Equal(0, await viewer.Locator("#create-actor, details.confirm").CountAsync());
        await viewer.GotoAsync("/mailboxes/xss-actor");
        await Expect(viewer.Locator($"#msg-{first}")).ToBeVisibleAsync();
        Assert.Equal(0, await viewer.Locator("#send-message").CountAsync());
        await viewer.GotoAsync("/reviews");
        await Expect(viewer.Locator($"#review-{reviewId}")).ToBeVisibleAsync();
        Assert.Equal(0, await viewer.Locator("form.answers").CountAsync());
        await Browser.ScreenshotAsync(viewer, "mailbox-08-viewer-reviews");
        var headers = JsonDocument.Parse((await viewer.GetAttributeAsync("body", "hx-headers"))!).RootElement;
        var withToken = new Dictionary<string, string> { ["RequestVerificationToken"] = headers.GetProperty("RequestVerificationToken").GetString()! };
        Assert.Equal(403, (await viewerContext.APIRequest.PostAsync("/mailboxes?handler=Create", new() { Headers = withToken, Form = Form(viewerContext, ("id", "viewer-actor")) })).Status);
        Assert.Equal(403, (await viewerContext.APIRequest.PostAsync("/mailboxes?handler=Delete", new() { Headers = withToken, Form = Form(viewerContext, ("id", "xss-actor"), ("confirm", "yes")) })).Status);
        Assert.Equal(403, (await viewerContext.APIRequest.PostAsync("/mailboxes/xss-actor?handler=Send", new() { Headers = withToken, Form = Form(viewerContext, ("to_actor_id", "xss-actor"), ("payload", "from viewer")) })).Status);
        Assert.Equal(403, (await viewerContext.APIRequest.PostAsync("/reviews?handler=Answer", new() { Headers = withToken, Form = Form(viewerContext, ("id", reviewId.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("option", "ok")) })).Status);
        Assert.Equal(404, (await root.APIRequest.GetAsync("/api/admin/actors/viewer-actor")).Status);
        Assert.Equal(1, await PendingAsync(root, "xss-actor"));
        Assert.Equal("pending", await ReviewStatusAsync(root, reviewId));

        // The same token from root's session is accepted: the check above was the role, not the token.
        var rootHeaders = JsonDocument.Parse((await page.GetAttributeAsync("body", "hx-headers"))!).RootElement;
        var answer = await root.APIRequest.PostAsync("/reviews?handler=Answer", new()
        {
            Headers = new Dictionary<string, string> { ["RequestVerificationToken"] = rootHeaders.GetProperty("RequestVerificationToken").GetString()!, ["HX-Request"] = "true" },
            Form = Form(root, ("id", reviewId.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("option", "ok")),
        });
        Assert.Equal(200, answer.Status);
        Assert.Contains($"Answered review {reviewId} with &#x27;ok&#x27;.", await answer.TextAsync(), StringComparison.Ordinal);
        Assert.Equal("answered", await ReviewStatusAsync(root, reviewId));

        // Streams: a login is needed; an unknown actor is 404.
        var anonymous = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = hub.WebUrl.ToString() });
        foreach (var stream in new[] { "/ui/mailboxes/stream", "/ui/mailboxes/xss-actor/stream", "/ui/reviews/stream" })
            Assert.Equal(401, (await anonymous.APIRequest.GetAsync(stream)).Status);
        using var http = new HttpClient { BaseAddress = hub.WebUrl, Timeout = TimeSpan.FromSeconds(30) };
        var cookie = string.Join("; ", (await root.CookiesAsync()).Select(c => c.Name + "=" + c.Value));
        using (var unknown = new HttpRequestMessage(HttpMethod.Get, "/ui/mailboxes/nobody/stream"))
        {
            unknown.Headers.Add("Cookie", cookie);
            Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(unknown)).StatusCode);
        }

        // A reconnecting browser sends Last-Event-ID: the stream resumes after it from the store, in id order.
        var second = await MailboxUiTests.SendOverRestAsync(root, new { to_actor_id = "xss-actor", text = "second" });
        var third = await MailboxUiTests.SendOverRestAsync(root, new { to_actor_id = "xss-actor", text = "third" });
        var events = await ReadEventsAsync(http, "/ui/mailboxes/xss-actor/stream?after=0", cookie, lastEventId: first, stop: "event: pending"); // the count follows the backlog
        var ids = events.Where(l => l.StartsWith("id: ", StringComparison.Ordinal)).Select(l => l[4..]).ToArray();
        // After the first message: the answer notice root's answer posted on the permission channel, then the two new ones.
        var numbers = ids.Select(ulong.Parse).ToArray();
        Assert.Equal(3, numbers.Length);
        Assert.All(numbers, n => Assert.True(n > ulong.Parse(first)));
        Assert.Equal(numbers.Order(), numbers);
        Assert.Equal([second, third], ids[1..]);
        Assert.Contains(events, l => l.StartsWith($"data: <tr id=\"msg-{ids[0]}\"", StringComparison.Ordinal) && l.Contains("permission_answer", StringComparison.Ordinal));
        Assert.Contains(events, l => l.Contains("third", StringComparison.Ordinal) && l.StartsWith("data: <tr id=\"msg-" + third, StringComparison.Ordinal));

        // The replay is bounded: an actor with 105 messages and a stream from the start replays only the newest 100, in order.
        Assert.Equal(201, (await root.APIRequest.PostAsync("/api/admin/actors", new() { DataObject = new { id = "bulk" } })).Status);
        var sent = new List<ulong>();
        foreach (var chunk in Enumerable.Range(0, 105).Chunk(15))
            sent.AddRange((await Task.WhenAll(chunk.Select(i => MailboxUiTests.SendOverRestAsync(root, new { to_actor_id = "bulk", text = "bulk " + i })))).Select(ulong.Parse));
        var replay = await ReadEventsAsync(http, "/ui/mailboxes/bulk/stream?after=0", cookie, lastEventId: null, stop: "event: pending");
        var replayed = replay.Where(l => l.StartsWith("id: ", StringComparison.Ordinal)).Select(l => ulong.Parse(l[4..])).ToArray();
        Assert.Equal(sent.Order().TakeLast(100), replayed);
    }

    /// <summary>Reads SSE lines until <paramref name="stop"/> (inclusive).</summary>
    private static async Task<List<string>> ReadEventsAsync(HttpClient http, string url, string cookie, string? lastEventId, string stop)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Cookie", cookie);
        if (lastEventId is not null)
            request.Headers.Add("Last-Event-ID", lastEventId);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<string>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            events.Add(line);
            if (line == stop)
                break;
        }

        return events;
    }

    private static async Task<long> PendingAsync(IBrowserContext context, string actorId)
    {
        var response = await context.APIRequest.GetAsync($"/api/admin/actors/{actorId}");
        return JsonDocument.Parse(await response.TextAsync()).RootElement.GetProperty("pending_count").GetInt64();
    }

    /// <summary>The review's status as the Reviews page shows it (a card while pending, a row once closed).</summary>
    private static async Task<string> ReviewStatusAsync(IBrowserContext context, ulong reviewId)
    {
        var html = await (await context.APIRequest.GetAsync("/reviews")).TextAsync();
        var match = System.Text.RegularExpressions.Regex.Match(html, $"id=\"(?:closed-)?review-{reviewId}\" data-status=\"([a-z]+)\"");
        Assert.True(match.Success, $"review {reviewId} is not on the page:\n{html}");
        return match.Groups[1].Value;
    }

    private static IFormData Form(IBrowserContext context, params (string Name, string Value)[] fields)
    {
        var form = context.APIRequest.CreateFormData();
        foreach (var (name, value) in fields)
            form.Set(name, value);
        return form;
    }
}
