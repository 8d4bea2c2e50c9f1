using System.Net;
using System.Net.Http.Json;
using Mesh.Hub.Access;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Agents;

/// <summary>
/// The agents pages against a real in-process hub (Kestrel, SQLite, cookie login through the login form): the
/// create form's refusals (field named, values kept, 400), post/redirect/get to the agent's page, and the agent on
/// its node's page. No node process: the node is pre-registered, so agents on it show "pending: node offline".
/// </summary>
public sealed class AgentPagesTests : IAsyncLifetime
{
    private const string Password = "agent-pages-root-password-123";
    private static readonly string PasswordHash = PasswordHasher.Hash(Password);
    private TestHub _hub = null!;
    private WebSession _root = null!;

    public async Task InitializeAsync()
    {
        _hub = await TestHub.StartAsync(extraToml: $"root_password_hash = \"{PasswordHash}\"");
        Assert.Equal(HttpStatusCode.Created, (await _hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes", new { id = "pn1", name = "Pending node" })).StatusCode);
        _root = await WebSession.LoginAsync(_hub.WebUrl, "root", Password);
    }

    public async Task DisposeAsync()
    {
        _root.Dispose();
        await _hub.DisposeAsync();
    }

    [Fact]
    public async Task CreateForm_BadEnvironmentName_400_ErrorOnTheField_ValuesKept()
    {
        var (status, html) = await CreateAsync(("id", "env-bad"), ("placement", "pn1"), ("command", "sleep\n100"), ("environment", "GOOD=1\n1BAD=x"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("""<p class="field-error" id="new-agent-environment-error">environment: &#x27;1BAD&#x27; is not a valid environment variable name""", html, StringComparison.Ordinal);
        Assert.Contains("""aria-invalid="true" aria-describedby="new-agent-environment-error">GOOD=1""", html, StringComparison.Ordinal);
        Assert.Contains("""value="env-bad" placeholder""", html, StringComparison.Ordinal);
        Assert.Contains(">sleep&#xA;100</textarea>", html, StringComparison.Ordinal);
        Assert.Contains("""<option value="pn1" selected="selected">""", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _hub.Admin.GetAsync("/api/admin/agents/env-bad")).StatusCode);
    }

    [Fact]
    public async Task CreateForm_UnknownNode_400_ErrorOnThePlacement()
    {
        var (status, html) = await CreateAsync(("id", "lost-1"), ("placement", "no-such-node"), ("command", "true"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("""id="new-agent-placement-error">placement: unknown node &#x27;no-such-node&#x27;""", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _hub.Admin.GetAsync("/api/admin/agents/lost-1")).StatusCode);
    }

    [Theory]
    [InlineData("environment", "NO_EQUALS_SIGN", "line 1: write NAME=value")]
    [InlineData("stop_grace_seconds", "ten", "the stop grace is a whole number of seconds")]
    [InlineData("memory_mib", "1", "memory_max_bytes 1048576 is out of range")]
    [InlineData("command", "\n\n", "an agent needs a command")]
    [InlineData("restart_policy", "sometimes", "restart_policy &#x27;sometimes&#x27; is not one of")]
    public async Task CreateForm_UnreadableOrRefusedField_400_ErrorOnThatField(string field, string value, string message)
    {
        var fields = new Dictionary<string, string> { ["id"] = "field-1", ["placement"] = "pn1", ["command"] = "true", [field] = value };
        var (status, html) = await CreateAsync([.. fields.Select(f => (f.Key, f.Value))]);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"""id="new-agent-{field}-error">{field}: {message}""", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateForm_Valid_RedirectsToTheAgent_ShownPendingOnItsPageTheListAndItsNode()
    {
        await _root.GetAsync("/agents");
        using var response = await _root.PostAsync("/agents?handler=Create", ("id", "ok-1"), ("name", "OK <b>one</b>"), ("placement", "pn1"),
            ("command", "sh\n-c\necho hi; sleep 100"), ("environment", "MODE=test"), ("restart_policy", "never"), ("stop_grace_seconds", "3"),
            ("memory_mib", "64"), ("pids_max", "20"), ("start_now", "yes"));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/agents/ok-1?done=created", response.Headers.Location?.OriginalString);

        var (status, page) = await _root.GetAsync("/agents/ok-1?done=created");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Agent created.", page, StringComparison.Ordinal);
        Assert.Contains("OK &lt;b&gt;one&lt;/b&gt;", page, StringComparison.Ordinal);
        Assert.Contains("<li><code>echo hi; sleep 100</code></li>", page, StringComparison.Ordinal);
        Assert.Contains("<code>MODE=test</code>", page, StringComparison.Ordinal);
        Assert.Contains("64 MiB", page, StringComparison.Ordinal);
        Assert.Contains("pending: node offline", page, StringComparison.Ordinal);
        Assert.Contains("""id="agent-desired">running""", page, StringComparison.Ordinal);

        var (_, list) = await _root.GetAsync("/agents");
        Assert.Contains("""<tr id="agent-ok-1" sse-swap="agent-ok-1" hx-swap="outerHTML" data-state="pending: node offline">""", list, StringComparison.Ordinal);
        var (_, node) = await _root.GetAsync("/nodes/pn1");
        Assert.Contains("""<tr id="node-agent-ok-1">""", node, StringComparison.Ordinal);
        Assert.Contains("""<a href="/agents/ok-1">OK &lt;b&gt;one&lt;/b&gt;</a>""", node, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Actions_StopThenDeleteWithoutAndWithConfirmation()
    {
        await _hub.Admin.PostAsJsonAsync("/api/admin/agents", new { id = "act-1", placement = "pn1", command = new[] { "true" } });
        await _root.GetAsync("/agents/act-1");
        using (var stop = await _root.PostAsync("/agents/act-1?handler=Stop"))
            Assert.Equal("/agents/act-1?done=stopped", stop.Headers.Location?.OriginalString);
        var (_, page) = await _root.GetAsync("/agents/act-1?done=stopped");
        Assert.Contains("""id="agent-desired">stopped""", page, StringComparison.Ordinal);

        using (var unconfirmed = await _root.PostAsync("/agents/act-1?handler=Delete"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unconfirmed.StatusCode);
            Assert.Contains("Tick the confirmation box", await unconfirmed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var delete = await _root.PostAsync("/agents/act-1?handler=Delete", ("confirm", "yes")))
            Assert.Equal("/agents?deleted=act-1", delete.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await _hub.Admin.GetAsync("/api/admin/agents/act-1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _root.GetAsync("/agents/act-1")).Status);
        using var missing = await _root.PostAsync("/agents/act-1?handler=Start");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Streams_NeedALogin_UnknownAgent404_ListStartsWithTheTableAndSendsAChangedRow()
    {
        using var anonymous = new HttpClient { BaseAddress = _hub.WebUrl };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/ui/agents/stream")).StatusCode);
        using (var unknown = await _root.OpenAsync("/ui/agents/nobody/stream"))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        await _hub.Admin.PostAsJsonAsync("/api/admin/agents", new { id = "live-1", placement = "pn1", command = new[] { "true" } });
        using var stream = await _root.OpenAsync("/ui/agents/stream");
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Assert.Equal("event: table", await reader.ReadLineAsync(deadline.Token));
        Assert.Contains("""<tr id="agent-live-1" """, await reader.ReadLineAsync(deadline.Token), StringComparison.Ordinal);

        // A change to one agent sends its row alone.
        await _hub.Admin.PostAsync("/api/admin/agents/live-1/stop", null);
        string? line;
        do
            line = await reader.ReadLineAsync(deadline.Token);
        while (line is not null && !line.StartsWith("event: ", StringComparison.Ordinal));
        Assert.Equal("event: agent-live-1", line);
    }

    private async Task<(HttpStatusCode Status, string Html)> CreateAsync(params (string Name, string Value)[] fields)
    {
        await _root.GetAsync("/agents");
        using var response = await _root.PostAsync("/agents?handler=Create", [.. fields, ("start_now", "yes")]);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
