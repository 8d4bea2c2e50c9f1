using System.Net;
using System.Net.Http.Json;
using System.Text;
using Mesh.Hub.Tests.Mailbox.Support;

namespace Mesh.Hub.Tests.Mailbox;

/// <summary>The root REST endpoints for actors, teams, messages, triggers and reviews on the real hub.</summary>
public sealed class MailboxAdminApiTests
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task CreateActor_OnUnknownOrRemovedNode_400NamingTheNode_NothingStored()
    {
        await using var hub = await MailboxTestHub.StartAsync();
        var url = (string path) => new Uri(hub.WebUrl, path);
        var unknown = await hub.Admin.PostAsync(url("/api/admin/actors"), Json("""{"id":"lost","placement":"no-such-node"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("no node 'no-such-node' is registered on this hub", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await hub.Admin.GetAsync(url("/api/admin/actors/lost"))).StatusCode);

        await hub.RegisterNodeAsync("gone-1");
        Assert.Equal(HttpStatusCode.NoContent, (await hub.Admin.DeleteAsync(url("/api/admin/agent-nodes/gone-1"))).StatusCode);
        var removed = await hub.Admin.PostAsync(url("/api/admin/actors"), Json("""{"id":"lost","placement":"gone-1"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, removed.StatusCode);
        Assert.Contains("node 'gone-1' was removed from this hub", await removed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await hub.Admin.GetAsync(url("/api/admin/actors/lost"))).StatusCode);

        // The hub and the embedded node are always places.
        Assert.Equal(HttpStatusCode.Created, (await hub.Admin.PostAsync(url("/api/admin/actors"), Json("""{"id":"on-hub","placement":"hub"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await hub.Admin.PostAsync(url("/api/admin/actors"), Json("""{"id":"on-main","placement":"main"}"""))).StatusCode);

        // An actor whose node is removed later stays, flagged over REST.
        await hub.RegisterNodeAsync("soon-gone");
        var stranded = await hub.Admin.PostAsync(url("/api/admin/actors"), Json("""{"id":"stranded","placement":"soon-gone"}"""));
        Assert.Contains("\"placement_node\":\"registered\"", await stranded.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await hub.Admin.DeleteAsync(url("/api/admin/agent-nodes/soon-gone"))).StatusCode);
        var flagged = System.Text.Json.JsonDocument.Parse(await hub.Admin.GetStringAsync(url("/api/admin/actors/stranded"))).RootElement;
        Assert.Equal("removed", flagged.GetProperty("placement_node").GetString());
        var listed = System.Text.Json.JsonDocument.Parse(await hub.Admin.GetStringAsync(url("/api/admin/actors"))).RootElement.GetProperty("actors").EnumerateArray()
            .ToDictionary(a => a.GetProperty("id").GetString()!, a => a.GetProperty("placement_node").ToString());
        Assert.Equal(("removed", "registered", ""), (listed["stranded"], listed["on-main"], listed["on-hub"]));
    }

    [Fact]
    public async Task Actors_CreateListGetDelete_WithPreciseErrors()
    {
        await using var hub = await MailboxTestHub.StartAsync();
        var url = (string path) => new Uri(hub.WebUrl, path);
        await hub.RegisterNodeAsync("node-7");
        var created = await hub.Admin.PostAsync(url("/api/admin/actors"), Json("""{"id":"alice","name":"Alice","team_id":"web","role":"lead","placement":"node-7"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await hub.Admin.PostAsync(url("/api/admin/actors"), Json("""{"id":"alice"}"""))).StatusCode);
        var bad = await hub.Admin.PostAsync(url("/api/admin/actors"), Json("""{"id":"a b"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("actor id", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await hub.Admin.PostAsync(url("/api/admin/actors"), Json("""{"id":"bob","role":"boss"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await hub.Admin.PostAsync(url("/api/admin/actors"), Json("{nope"))).StatusCode);

        var one = await hub.GetJsonAsync("/api/admin/actors/alice");
        Assert.Equal("node-7", one.GetProperty("placement").GetString());
        Assert.Equal("lead", one.GetProperty("role").GetString());
        var teams = await hub.GetJsonAsync("/api/admin/teams");
        Assert.Equal("web", teams.GetProperty("teams")[0].GetProperty("team_id").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await hub.Admin.DeleteAsync(url("/api/admin/actors/alice"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await hub.Admin.DeleteAsync(url("/api/admin/actors/alice"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await hub.Admin.GetAsync(url("/api/admin/actors/alice"))).StatusCode);

        using var anonymous = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url("/api/admin/actors"))).StatusCode);
    }

    [Fact]
    public async Task Messages_SendAsRootReadInbox_ReviewsRespond()
    {
        await using var hub = await MailboxTestHub.StartAsync();
        await hub.CreateActorAsync("alice", "web", "worker");
        await hub.CreateActorAsync("bob", "web", "lead");
        var url = (string path) => new Uri(hub.WebUrl, path);

        var sent = await hub.Admin.PostAsync(url("/api/admin/messages"), Json("""{"to_actor_id":"alice","payload_json":{"task":"ship"},"idempotency_key":"rest-1"}"""));
        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        var again = await hub.Admin.PostAsync(url("/api/admin/messages"), Json("""{"to_actor_id":"alice","text":"dup","idempotency_key":"rest-1"}"""));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await hub.Admin.PostAsync(url("/api/admin/messages"), Json("""{"to_actor_id":"ghost","text":"x"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await hub.Admin.PostAsync(url("/api/admin/messages"), Json("""{"to_actor_id":"alice"}"""))).StatusCode);
        var team = await hub.Admin.PostAsync(url("/api/admin/messages"), Json("""{"from":"bob","team_id":"web","text":"standup"}"""));
        Assert.Equal(HttpStatusCode.Created, team.StatusCode);

        var inbox = await hub.GetJsonAsync("/api/admin/actors/alice/messages");
        Assert.Equal(2, inbox.GetProperty("pending_count").GetInt32());
        Assert.Equal("root", inbox.GetProperty("messages")[0].GetProperty("from").GetString());
        Assert.Equal("bob", inbox.GetProperty("messages")[1].GetProperty("from").GetString());

        using var channel = hub.Channel();
        var review = await channel.Mailbox().PermissionRequestAsync(new Mesh.Core.Protocol.PermissionRequestRequest
        {
            Title = "deploy?",
            Options = { new Mesh.Core.Protocol.PermissionOption { Id = "yes", Label = "Yes" } },
        }, MailboxTestHub.Bearer(hub.ActorToken("alice"))).ResponseAsync;
        var pending = await hub.GetJsonAsync("/api/admin/reviews");
        Assert.Equal(["bob"], pending.GetProperty("reviews")[0].GetProperty("reviewers").EnumerateArray().Select(r => r.GetString()!).ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await hub.Admin.PostAsync(url($"/api/admin/reviews/{review.Id}/respond"), Json("""{"option_id":"no"}"""))).StatusCode);
        var answered = await hub.Admin.PostAsync(url($"/api/admin/reviews/{review.Id}/respond"), Json("""{"option_id":"yes"}"""));
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await hub.Admin.PostAsync(url($"/api/admin/reviews/{review.Id}/respond"), Json("""{"outcome":"cancelled"}"""))).StatusCode);
        Assert.Equal(0, (await hub.GetJsonAsync("/api/admin/reviews")).GetProperty("reviews").GetArrayLength());

        await channel.Mailbox().TimeTriggerSetAsync(new Mesh.Core.Protocol.TimeTriggerSetRequest { Cron = "0 0 1 1 *", Message = "new year" }, MailboxTestHub.Bearer(hub.ActorToken("alice"))).ResponseAsync;
        var triggers = await hub.GetJsonAsync("/api/admin/triggers");
        Assert.Equal("0 0 1 1 *", triggers.GetProperty("triggers")[0].GetProperty("cron").GetString());
    }

    [Fact]
    public async Task QueryParameters_AreSnakeCase_AsDocumented()
    {
        await using var hub = await MailboxTestHub.StartAsync();
        await hub.CreateActorAsync("alice", "web", "worker");
        await hub.CreateActorAsync("bob", "web", "lead");
        var url = (string path) => new Uri(hub.WebUrl, path);
        ulong first = 0;
        for (var i = 0; i < 3; i++)
        {
            var sent = await hub.Admin.PostAsync(url("/api/admin/messages"), Json($$"""{"to_actor_id":"alice","text":"m{{i}}"}"""));
            var id = (await sent.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("message_id").GetUInt64();
            first = first == 0 ? id : first;
        }

        using var channel = hub.Channel();
        await channel.Mailbox().AckAsync(new Mesh.Core.Protocol.AckRequest { MessageIds = { first } }, MailboxTestHub.Bearer(hub.ActorToken("alice"))).ResponseAsync;
        var trigger = await channel.Mailbox().TimeTriggerSetAsync(new Mesh.Core.Protocol.TimeTriggerSetRequest { DelaySeconds = 3600, Message = "later" }, MailboxTestHub.Bearer(hub.ActorToken("alice"))).ResponseAsync;
        await channel.Mailbox().TimeTriggerCancelAsync(new Mesh.Core.Protocol.TimeTriggerCancelRequest { TriggerId = trigger.Id }, MailboxTestHub.Bearer(hub.ActorToken("alice"))).ResponseAsync;

        var pendingOnly = await hub.GetJsonAsync("/api/admin/actors/alice/messages");
        var withDelivered = await hub.GetJsonAsync("/api/admin/actors/alice/messages?include_delivered=true");
        var afterFirst = await hub.GetJsonAsync($"/api/admin/actors/alice/messages?include_delivered=true&after_id={first}");

        // Reviews after the inbox reads: cancelling one notifies the asker with a message of its own.
        var review = await channel.Mailbox().PermissionRequestAsync(new Mesh.Core.Protocol.PermissionRequestRequest
        {
            Title = "deploy?",
            Options = { new Mesh.Core.Protocol.PermissionOption { Id = "yes", Label = "Yes" } },
        }, MailboxTestHub.Bearer(hub.ActorToken("alice"))).ResponseAsync;
        await hub.Admin.PostAsync(url($"/api/admin/reviews/{review.Id}/respond"), Json("""{"outcome":"cancelled"}"""));
        var openReviews = await hub.GetJsonAsync("/api/admin/reviews");
        var allReviews = await hub.GetJsonAsync("/api/admin/reviews?include_closed=true");
        var activeTriggers = await hub.GetJsonAsync("/api/admin/triggers");
        var allTriggers = await hub.GetJsonAsync("/api/admin/triggers?include_inactive=true");

        Assert.Equal(2, pendingOnly.GetProperty("messages").GetArrayLength());
        Assert.Equal(3, withDelivered.GetProperty("messages").GetArrayLength());
        Assert.Equal(2, afterFirst.GetProperty("messages").GetArrayLength());
        Assert.Equal(0, openReviews.GetProperty("reviews").GetArrayLength());
        Assert.Equal(1, allReviews.GetProperty("reviews").GetArrayLength());
        Assert.Equal(0, activeTriggers.GetProperty("triggers").GetArrayLength());
        Assert.Equal(1, allTriggers.GetProperty("triggers").GetArrayLength());
    }
}
