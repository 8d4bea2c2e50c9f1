using System.Text.Json;
using Mesh.ActorCli.Tests.Support;
using static Mesh.ActorCli.Tests.HubFixture;

namespace Mesh.ActorCli.Tests;

/// <summary>The real actor binary against a real single-machine hub, through every command.</summary>
public sealed class ActorCliTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private Dictionary<string, string?> As(string actor) => fixture.AgentEnvironment(actor);

    private static void Ok(ActorRun run) => Assert.True(run.ExitCode == 0, run.ToString());

    private static void Fails(ActorRun run, int code, string text)
    {
        Assert.True(run.ExitCode == code, run.ToString());
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(text, run.Stderr, StringComparison.Ordinal);
    }

    private static ulong Id(JsonElement e, string name = "message_id") => e.GetProperty(name).GetUInt64();

    [Fact]
    public async Task SendInboxAck_TextAndJson_FullRoundTrip()
    {
        await fixture.Hub.CreateActorAsync("rt-a");
        await fixture.Hub.CreateActorAsync("rt-b");
        var text = await RunAsync(As("rt-a"), "--json", "send", "--to-actor-id", "rt-b", "--text", "hello b", "--run-id", "run-7");
        Ok(text);
        Assert.Equal("pending", text.Json.GetProperty("status").GetString());
        var json = await RunAsync(As("rt-a"), "send", "--json", "--to-actor-id", "rt-b", "--payload-json", "{\"task\":\"review\",\"n\":2}", "--channel", "work");
        Ok(json);
        var file = fixture.Hub.Directory.Write("payload.json", "[1,2,3]");
        var textFile = fixture.Hub.Directory.Write("note.txt", "line one\nline two");
        Ok(await RunAsync(As("rt-a"), "send", "--to-actor-id", "rt-b", "--payload-file", file));
        Ok(await RunAsync(As("rt-a"), "send", "--to-actor-id", "rt-b", "--text-file", textFile));

        var table = await RunAsync(As("rt-b"), "inbox");
        Ok(table);
        Assert.Contains("hello b", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("4 message(s) listed, 4 pending.", table.Stdout, StringComparison.Ordinal);

        var inbox = await RunAsync(As("rt-b"), "inbox", "--json");
        Ok(inbox);
        Assert.Equal(4, inbox.Json.GetProperty("pending_count").GetInt32());
        var messages = inbox.Json.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal("run-7", messages[0].GetProperty("run_id").GetString());
        Assert.Equal("review", messages[1].GetProperty("payload").GetProperty("task").GetString());
        Assert.Equal("work", messages[1].GetProperty("channel").GetString());
        Assert.Equal(3, messages[2].GetProperty("payload").GetArrayLength());
        Assert.Equal("line one\nline two", messages[3].GetProperty("payload").GetString());

        var filtered = await RunAsync(As("rt-b"), "inbox", "--json", "--run-id", "run-7");
        Assert.Single(filtered.Json.GetProperty("messages").EnumerateArray());
        var paged = await RunAsync(As("rt-b"), "inbox", "--json", "--after-id", Id(messages[1], "id").ToString(System.Globalization.CultureInfo.InvariantCulture), "--limit", "1");
        Assert.Equal(Id(messages[2], "id"), Id(paged.Json.GetProperty("messages")[0], "id"));

        var single = await RunAsync(As("rt-b"), "ack", "--json", "--message-id", Id(messages[0], "id").ToString(System.Globalization.CultureInfo.InvariantCulture));
        Ok(single);
        Assert.Equal(JsonValueKind.Object, single.Json.ValueKind);
        Assert.Equal("delivered", single.Json.GetProperty("status").GetString());

        var repeated = await RunAsync(As("rt-b"), "ack", "--json",
            "--message-id", Id(messages[0], "id").ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--message-id", "999999",
            "--message-id", Id(messages[1], "id").ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, repeated.ExitCode);
        var results = repeated.Json.EnumerateArray().ToList();
        Assert.Equal(3, results.Count);
        Assert.Equal("already_delivered", results[0].GetProperty("status").GetString());
        Assert.Equal("NOT_FOUND", results[1].GetProperty("code").GetString());
        Assert.True(results[2].GetProperty("ok").GetBoolean());

        var autoAck = await RunAsync(As("rt-b"), "inbox", "--json", "--auto-ack");
        Assert.Equal(2, autoAck.Json.GetProperty("messages").GetArrayLength());
        Assert.Equal(0, autoAck.Json.GetProperty("pending_count").GetInt32());
        var all = await RunAsync(As("rt-b"), "inbox", "--json", "--include-delivered");
        Assert.All(all.Json.GetProperty("messages").EnumerateArray(), m => Assert.Equal("delivered", m.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Send_DuplicateIdempotencyKey_ReturnsOriginalId()
    {
        var first = await RunAsync(As("dev"), "--json", "send", "--to-actor-id", "lead", "--text", "once", "--idempotency-key", "cli-key-1");
        var second = await RunAsync(As("dev"), "--json", "send", "--to-actor-id", "lead", "--text", "twice", "--idempotency-key", "cli-key-1");
        Ok(first);
        Ok(second);
        Assert.Equal(Id(first.Json), Id(second.Json));
        Assert.True(second.Json.GetProperty("duplicate").GetBoolean());
    }

    [Fact]
    public async Task TeamChannel_AndTeamMembers()
    {
        var members = await RunAsync(As("dev"), "--json", "team-members");
        Ok(members);
        Assert.Equal("team1", members.Json.GetProperty("team_id").GetString());
        Assert.Equal(["dev", "lead", "qa"], members.Json.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("actor_id").GetString()!).Order().ToArray());
        Assert.Equal("reviewer", members.Json.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("actor_id").GetString() == "qa").GetProperty("role").GetString());
        var table = await RunAsync(As("lead"), "team-members", "--team-id", "team1");
        Assert.Contains("reviewer", table.Stdout, StringComparison.Ordinal);

        var fan = await RunAsync(As("lead"), "--json", "send", "--channel-id", "team1", "--text", "standup in 5", "--channel", "standup");
        Ok(fan);
        Assert.Equal(["dev", "qa"], fan.Json.GetProperty("recipients").EnumerateArray().Select(r => r.GetString()!).Order().ToArray());
        var devInbox = await RunAsync(As("dev"), "--json", "inbox", "--channel", "standup");
        Assert.Equal("team1", devInbox.Json.GetProperty("messages")[0].GetProperty("team_id").GetString());
    }

    [Fact]
    public async Task TimeTriggers_SetListCancel_AndFire()
    {
        await fixture.Hub.CreateActorAsync("tt-a");
        var cron = await RunAsync(As("tt-a"), "--json", "time-trigger-set", "--cron", "0 9 * * mon-fri", "--message", "daily");
        Ok(cron);
        Assert.Equal("0 9 * * mon-fri", cron.Json.GetProperty("cron").GetString());
        var soon = await RunAsync(As("tt-a"), "--json", "time-trigger-set", "--delay-seconds", "1", "--message", "ping");
        Ok(soon);
        var list = await RunAsync(As("tt-a"), "time-trigger-list");
        Assert.Contains("0 9 * * mon-fri", list.Stdout, StringComparison.Ordinal);
        var cancel = await RunAsync(As("tt-a"), "--json", "time-trigger-cancel", "--trigger-id", Id(cron.Json, "trigger_id").ToString(System.Globalization.CultureInfo.InvariantCulture));
        Ok(cancel);
        Assert.Equal("cancelled", cancel.Json.GetProperty("status").GetString());

        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement inbox;
        do
        {
            await Task.Delay(300);
            inbox = (await RunAsync(As("tt-a"), "--json", "inbox")).Json;
        }
        while (inbox.GetProperty("messages").GetArrayLength() == 0 && DateTime.UtcNow < deadline);
        var message = Assert.Single(inbox.GetProperty("messages").EnumerateArray());
        Assert.Equal("ping", message.GetProperty("payload").GetString());
        Assert.Equal("trigger", message.GetProperty("channel").GetString());
        var inactive = await RunAsync(As("tt-a"), "--json", "time-trigger-list", "--include-inactive");
        Assert.Equal(["cancelled", "done"], inactive.Json.GetProperty("triggers").EnumerateArray().Select(t => t.GetProperty("status").GetString()!).Order().ToArray());
    }

    [Fact]
    public async Task PermissionRequest_Wait_ReviewerResponds()
    {
        await using var asker = ActorProcess.Start(["--json", "permission-request", "--title", "delete the staging db?", "--details", "it is stale",
            "--option", "allow=Allow", "--option", "approved-for-session=Approve for session", "--option", "deny=Deny", "--wait"], As("dev"));
        JsonElement pending = default;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var list = await RunAsync(As("qa"), "--json", "permission-list");
            pending = list.Json.GetProperty("reviews").EnumerateArray().FirstOrDefault(r => r.GetProperty("title").GetString() == "delete the staging db?");
            if (pending.ValueKind == JsonValueKind.Object)
                break;
            await Task.Delay(200);
        }

        var id = Id(pending, "permission_id").ToString(System.Globalization.CultureInfo.InvariantCulture);
        Fails(await RunAsync(As("lead"), "permission-review-respond", "--permission-id", id, "--option-id", "allow"), 1, "PERMISSION_DENIED");
        Fails(await RunAsync(As("qa"), "permission-review-respond", "--permission-id", id, "--option-id", "maybe"), 1, "does not offer option 'maybe'");
        var answer = await RunAsync(As("qa"), "--json", "permission-review-respond", "--permission-id", id, "--option-id", "approved-for-session");
        Ok(answer);
        Assert.Equal("answered", answer.Json.GetProperty("status").GetString());

        Assert.Equal(0, await asker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var waited = JsonDocument.Parse(asker.StandardOutput).RootElement;
        Assert.Equal("approved-for-session", waited.GetProperty("option_id").GetString());
        Assert.Equal("qa", waited.GetProperty("answered_by").GetString());

        Fails(await RunAsync(As("qa"), "permission-review-respond", "--permission-id", id, "--option-id", "deny"), 1, "already answered");
        var notices = await RunAsync(As("dev"), "--json", "inbox", "--channel", "permission");
        Assert.Contains(notices.Json.GetProperty("messages").EnumerateArray(), m => m.GetProperty("payload").GetProperty("type").GetString() == "permission_answer");
    }

    [Fact]
    public async Task PermissionRespond_Repeated_PerItemResults_AndCancel()
    {
        var one = await RunAsync(As("dev"), "--json", "permission-request", "--title", "r1", "--option", "ok=OK");
        var two = await RunAsync(As("dev"), "--json", "permission-request", "--title", "r2", "--option", "ok=OK");
        var ids = new ulong[] { Id(one.Json, "permission_id"), 987654, Id(two.Json, "permission_id") }.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var run = await RunAsync(fixture.RootEnvironment(), "--json", "permission-review-respond",
            "--permission-id", ids[0], "--permission-id", ids[1], "--permission-id", ids[2], "--outcome", "cancelled");
        Assert.Equal(1, run.ExitCode);
        var results = run.Json.EnumerateArray().ToList();
        Assert.Equal("cancelled", results[0].GetProperty("status").GetString());
        Assert.Equal("NOT_FOUND", results[1].GetProperty("code").GetString());
        Assert.Equal("cancelled", results[2].GetProperty("status").GetString());
        var bad = await RunAsync(As("qa"), "permission-review-respond", "--permission-id", ids[0], "--outcome", "approved");
        Assert.Equal(2, bad.ExitCode);
    }

    [Fact]
    public async Task InboxWatch_PrintsMessagesAsTheyArrive()
    {
        await fixture.Hub.CreateActorAsync("w-a");
        await fixture.Hub.CreateActorAsync("w-b");
        Ok(await RunAsync(As("w-a"), "send", "--to-actor-id", "w-b", "--text", "before"));
        await using var watcher = ActorProcess.Start(["--json", "inbox", "--watch", "--auto-ack"], As("w-b"));
        await watcher.WaitForOutputLinesAsync(1, TimeSpan.FromSeconds(30));
        Ok(await RunAsync(As("w-a"), "send", "--to-actor-id", "w-b", "--text", "after"));
        await watcher.WaitForOutputLinesAsync(2, TimeSpan.FromSeconds(30));
        var lines = watcher.OutputLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["before", "after"], lines.Select(l => l.GetProperty("payload").GetString()!).ToArray());
        Assert.All(lines, l => Assert.Equal("delivered", l.GetProperty("status").GetString()));
        var left = await RunAsync(As("w-b"), "--json", "inbox");
        Assert.Equal(0, left.Json.GetProperty("pending_count").GetInt32());
    }

    [Fact]
    public async Task RootMode_ConfigMintsRootToken_ActsForAnyActor()
    {
        await fixture.Hub.CreateActorAsync("root-a");
        var send = await RunAsync(fixture.RootEnvironment(), "--json", "--actor-id", "lead", "send", "--to-actor-id", "root-a", "--text", "from lead via root");
        Ok(send);
        var read = await RunAsync(fixture.RootEnvironment(), "--json", "inbox", "--actor-id", "root-a");
        Ok(read);
        Assert.Equal("lead", read.Json.GetProperty("messages")[0].GetProperty("from").GetString());
        var viaFlag = await RunAsync(new Dictionary<string, string?>(), "--config", fixture.Hub.ConfigPath, "--target", fixture.Hub.GrpcUrl.ToString(), "--json", "inbox", "--actor-id", "root-a");
        Ok(viaFlag);
    }

    [Fact]
    public async Task BadInput_PreciseErrorsAndExitCodes()
    {
        Fails(await RunAsync(As("dev"), "send", "--to-actor-id", "nobody", "--text", "x"), 1, "NOT_FOUND");
        var big = fixture.Hub.Directory.Write("big.txt", new string('x', (1024 * 1024) + 1));
        Fails(await RunAsync(As("dev"), "send", "--to-actor-id", "lead", "--text-file", big), 1, "RESOURCE_EXHAUSTED");
        Fails(await RunAsync(As("dev"), "send", "--to-actor-id", "lead", "--payload-json", "{not json"), 2, "--payload-json is not valid JSON");
        Fails(await RunAsync(As("dev"), "send", "--to-actor-id", "lead", "--text", "a", "--payload-json", "{}"), 2, "do not go together");
        Fails(await RunAsync(As("dev"), "send", "--text", "a"), 2, "give one of --to-actor-id | --to-agent | --channel-id");
        Fails(await RunAsync(As("dev"), "send", "--to-actor-id", "lead", "--conversation", "c1", "--text", "a"), 1, "conversation_id is only for messages to an agent (--to-agent AGENT --conversation ID)");
        Fails(await RunAsync(As("dev"), "send", "--to-agent", "no-agent", "--conversation", "c1", "--text", "a"), 1, "no agent 'no-agent' to send to");
        Fails(await RunAsync(As("dev"), "inbox", "--actor-id", "lead"), 1, "PERMISSION_DENIED");

        var sent = await RunAsync(As("dev"), "--json", "send", "--to-actor-id", "lead", "--text", "for lead only");
        Fails(await RunAsync(As("qa"), "ack", "--message-id", Id(sent.Json).ToString(System.Globalization.CultureInfo.InvariantCulture)), 1, "PERMISSION_DENIED");
        Fails(await RunAsync(As("qa"), "ack", "--message-id", "424242"), 1, "NOT_FOUND");

        Fails(await RunAsync(As("dev"), "time-trigger-set", "--delay-seconds", "0", "--message", "m"), 1, "out of range");
        Fails(await RunAsync(As("dev"), "time-trigger-set", "--delay-seconds", "-3", "--message", "m"), 1, "out of range");
        Fails(await RunAsync(As("dev"), "time-trigger-set", "--delay-seconds", "2592001", "--message", "m"), 1, "out of range");
        Fails(await RunAsync(As("dev"), "time-trigger-set", "--cron", "* * * *", "--message", "m"), 1, "needs 5");
        Fails(await RunAsync(As("dev"), "time-trigger-set", "--cron", "0 25 * * *", "--message", "m"), 1, "hour field '25'");
        Fails(await RunAsync(As("dev"), "permission-request", "--title", "t", "--option", "noequals"), 2, "is not ID=LABEL");

        var expired = fixture.Hub.ActorToken("dev", TimeSpan.FromMinutes(1), new FixedClock(DateTimeOffset.UtcNow.AddHours(-3)));
        Fails(await RunAsync(fixture.AgentEnvironment("dev", expired), "inbox"), 3, "UNAUTHENTICATED");
        var unreachable = fixture.AgentEnvironment("dev");
        unreachable["MESH_GRPC_TARGET"] = "https://127.0.0.1:1";
        Fails(await RunAsync(unreachable, "inbox"), 3, "cannot reach https://127.0.0.1:1");
        Fails(await RunAsync(new Dictionary<string, string?>(), "inbox"), 2, "no credentials");
        Fails(await RunAsync(As("dev"), "inbox", "--bogus"), 2, "--bogus");
        Fails(await RunAsync(As("dev"), "inbox", "--limit", "0"), 2, "--limit must be from 1 to 1000");
    }

    [Fact]
    public async Task NodePlacedActor_UsesItsNodesLocalEndpoint_RelayedToTheHub()
    {
        await fixture.Hub.CreateActorAsync("node-agent", "team2", "worker", placement: "node-x");
        await using var relay = await Mesh.Node.Tests.Mailbox.RelayHost.StartAsync(fixture.Hub, "node-x", Path.Combine(fixture.Hub.Directory.Path, "node-x-data"));
        var env = new Dictionary<string, string?>
        {
            ["MESH_GRPC_TARGET"] = relay.Url.ToString(),
            ["MESH_ACTOR_TOKEN"] = fixture.Hub.NodeSignedActorToken("node-x", "node-agent"),
        };
        var sent = await RunAsync(env, "--json", "send", "--to-actor-id", "lead", "--text", "from a node", "--idempotency-key", "node-x-1");
        Ok(sent);
        Assert.False(sent.Json.GetProperty("queued").GetBoolean());
        var atHub = await RunAsync(As("lead"), "--json", "inbox", "--include-delivered");
        Assert.Contains(atHub.Json.GetProperty("messages").EnumerateArray(), m => m.GetProperty("id").GetUInt64() == Id(sent.Json) && m.GetProperty("from").GetString() == "node-agent");

        Ok(await RunAsync(As("lead"), "send", "--to-actor-id", "node-agent", "--text", "ack this"));
        var inbox = await RunAsync(env, "--json", "inbox");
        var message = Assert.Single(inbox.Json.GetProperty("messages").EnumerateArray());
        Ok(await RunAsync(env, "ack", "--message-id", message.GetProperty("id").GetUInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var members = await RunAsync(env, "--json", "team-members");
        Assert.Contains(members.Json.GetProperty("members").EnumerateArray(), m => m.GetProperty("placement").GetString() == "node-x");
        Fails(await RunAsync(env, "inbox", "--actor-id", "lead"), 1, "PERMISSION_DENIED");
    }

    [Fact]
    public async Task Help_CommandsAndTopics()
    {
        var help = await RunAsync(new Dictionary<string, string?>(), "help");
        Ok(help);
        foreach (var command in new[] { "inbox", "ack", "send", "team-members", "time-trigger-set", "time-trigger-list", "time-trigger-cancel", "permission-request", "permission-review-respond" })
            Assert.Contains(command, help.Stdout, StringComparison.Ordinal);
        var send = await RunAsync(new Dictionary<string, string?>(), "help", "send");
        Assert.Contains("--idempotency-key", send.Stdout, StringComparison.Ordinal);
        var codes = await RunAsync(new Dictionary<string, string?>(), "help", "exit-codes");
        Assert.Contains("3  cannot reach", codes.Stdout, StringComparison.Ordinal);
        Fails(await RunAsync(new Dictionary<string, string?>(), "help", "nope"), 2, "no command or topic 'nope'");
    }
}
