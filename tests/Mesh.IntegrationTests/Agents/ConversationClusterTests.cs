using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using static Mesh.IntegrationTests.Agents.AgentCluster;
using static Mesh.IntegrationTests.Agents.ReplicaClusterTests;

namespace Mesh.IntegrationTests.Agents;

/// <summary>
/// Conversation affinity on a real hub with three real nodes and an agent with three runs (itself and two replicas),
/// each a real process (conversation_worker.py with the actor CLI) that keeps each conversation's context in memory:
/// 100 conversations × 5 messages stay each on one run; after a replica is removed its conversations move, and the
/// first message that moves carries the "affinity broken" notice, both in the sender's reply and to the new run.
/// </summary>
public sealed class ConversationClusterTests(ReplicaCluster cluster) : IClassFixture<ReplicaCluster>
{
    private static readonly string Worker = Path.Combine(AppContext.BaseDirectory, "agents", "conversation_worker.py");

    [Fact]
    public async Task Hundred_conversations_of_five_messages_stay_on_one_replica_and_move_with_a_notice_when_it_is_removed()
    {
        var log = await CreateWorkerAsync("conv-a", replicas: 3);
        var runs = (await cluster.AgentAsync("conv-a")) is var agent ? Replicas(agent).Select(Name).Prepend("conv-a").ToList() : [];
        var conversations = Enumerable.Range(1, 100).Select(i => $"chat-{i:D3}").ToList();

        // Five rounds, each one message to every conversation, eight senders at a time: conversations interleave.
        var handled = new ConcurrentDictionary<string, ConcurrentBag<(int Round, string Run)>>();
        for (var round = 1; round <= 5; round++)
        {
            var current = round;
            await Parallel.ForEachAsync(conversations, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, _) =>
            {
                var reply = await SendAsync("conv-a", c, $"{c} message {current}");
                Assert.False(reply.GetProperty("affinity_broken").GetBoolean(), reply.ToString());
                handled.GetOrAdd(c, _ => []).Add((current, reply.GetProperty("handled_by").GetString()!));
            });
        }

        // Every conversation went to one run, and the hub spread them over all three. Each binds to the run holding the
        // fewest when its first message is routed; with 8 senders binding at once a run can get up to 8 more than an
        // even third (33), so the bounds are 33 ± 8.
        var holder = conversations.ToDictionary(c => c, c => Assert.Single(handled[c].Select(h => h.Run).Distinct()));
        Assert.Equal(runs.Order(), holder.Values.Distinct().Order());
        Assert.All(holder.Values.GroupBy(r => r), g => Assert.InRange(g.Count(), 25, 41));

        // The runs themselves got them: each conversation's five messages reached one process, in order of its context.
        var lines = await WaitForLinesAsync(log, 500);
        foreach (var c in conversations)
        {
            var mine = lines.Where(l => l.Conversation == c).ToList();
            Assert.Equal(5, mine.Count);
            Assert.All(mine, l => Assert.Equal(holder[c], l.Me));
            Assert.Equal([1, 2, 3, 4, 5], mine.Select(l => l.Seen).Order());
            Assert.All(mine, l => Assert.Empty(l.Notice));
        }

        // The store has the same: 100 bindings, 5 messages each, none moved.
        var stored = await ConversationsAsync("conv-a");
        Assert.Equal(100, stored.Count);
        Assert.All(stored, s => Assert.Equal((holder[s.GetProperty("conversation_id").GetString()!], 5, 0),
            (s.GetProperty("replica").GetString()!, s.GetProperty("messages").GetInt32(), s.GetProperty("moves").GetInt32())));

        // Stop one replica: 3 → 2 drains the newest (every run holds active conversations, so all are busy alike).
        var victim = runs[^1];
        var survivors = runs.Take(2).ToList();
        Assert.Equal(HttpStatusCode.OK, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/conv-a/scale", """{"replicas":2}""")).Status);
        await WaitUntilAsync(async () => Replicas(await cluster.AgentAsync("conv-a")).Select(Name).SequenceEqual(survivors.Skip(1)), $"{victim} removed");
        var moved = conversations.Where(c => holder[c] == victim).ToList();
        Assert.NotEmpty(moved);

        // Two more messages per conversation: the victim's conversations move once, with the notice on the first.
        var after = new ConcurrentDictionary<(string, int), JsonElement>();
        for (var round = 6; round <= 7; round++)
        {
            var current = round;
            await Parallel.ForEachAsync(conversations, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, _) =>
                after[(c, current)] = await SendAsync("conv-a", c, $"{c} message {current}"));
        }

        foreach (var c in conversations)
        {
            var (sixth, seventh) = (after[(c, 6)], after[(c, 7)]);
            var run = sixth.GetProperty("handled_by").GetString()!;
            Assert.Equal(run, seventh.GetProperty("handled_by").GetString());
            Assert.False(seventh.GetProperty("affinity_broken").GetBoolean(), seventh.ToString());
            if (moved.Contains(c))
            {
                Assert.True(sixth.GetProperty("affinity_broken").GetBoolean(), sixth.ToString());
                Assert.Contains(run, survivors);
                var notice = sixth.GetProperty("affinity_notice").GetString()!;
                Assert.Contains($"affinity broken: conversation '{c}' was on replica '{victim}', which was removed; it moved to '{run}'", notice, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(holder[c], run);
                Assert.False(sixth.GetProperty("affinity_broken").GetBoolean(), sixth.ToString());
            }
        }

        // The new runs got the moved conversations' messages with the notice on the first, and started a fresh context.
        lines = await WaitForLinesAsync(log, 500 + 200);
        foreach (var c in moved)
        {
            var later = lines.Where(l => l.Conversation == c && l.Me != victim).OrderBy(l => l.Seen).ToList();
            Assert.Equal(2, later.Count);
            Assert.Equal(after[(c, 6)].GetProperty("handled_by").GetString(), later[0].Me);
            Assert.Equal([1, 2], later.Select(l => l.Seen));
            Assert.Equal($"{c} message 6", later[0].Payload);
            Assert.Contains($"was on replica '{victim}'", later[0].Notice, StringComparison.Ordinal);
            Assert.Empty(later[1].Notice);
        }

        stored = await ConversationsAsync("conv-a");
        Assert.All(stored, s => Assert.Equal((moved.Contains(s.GetProperty("conversation_id").GetString()!) ? 1 : 0, 7),
            (s.GetProperty("moves").GetInt32(), s.GetProperty("messages").GetInt32())));
        Assert.DoesNotContain(stored, s => s.GetProperty("replica").GetString() == victim);
        Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/conv-a")).Status);
    }

    [Fact]
    public async Task A_conversation_id_on_a_message_to_a_replica_or_an_actor_is_refused_and_nothing_is_stored()
    {
        await CreateWorkerAsync("conv-bad", replicas: 2);
        var replica = Name(Assert.Single(Replicas(await cluster.AgentAsync("conv-bad"))));
        foreach (var (json, status, text) in new[]
        {
            ($$"""{"to_actor_id":"{{replica}}","conversation_id":"c1","text":"x"}""", HttpStatusCode.BadRequest,
                $"conversation_id 'c1' on a message to replica '{replica}': a conversation is routed to a replica by the hub, so send it to the agent (--to-agent conv-bad --conversation c1)"),
            ("""{"to_actor_id":"conv-bad","conversation_id":"c1","text":"x"}""", HttpStatusCode.BadRequest, "send with --to-agent conv-bad instead of --to-actor-id"),
            ($$"""{"to_agent_id":"{{replica}}","conversation_id":"c1","text":"x"}""", HttpStatusCode.BadRequest, $"'{replica}' is a replica of agent 'conv-bad', not an agent"),
            ("""{"to_agent_id":"no-such-agent","conversation_id":"c1","text":"x"}""", HttpStatusCode.NotFound, "no agent 'no-such-agent'"),
            ("""{"to_agent_id":"conv-bad","to_actor_id":"conv-bad","text":"x"}""", HttpStatusCode.BadRequest, "give one recipient"),
            ($$"""{"to_agent_id":"conv-bad","conversation_id":"{{new string('c', 129)}}","text":"x"}""", HttpStatusCode.BadRequest, "conversation_id must be at most 128"),
        })
        {
            var (got, problem) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/messages", json);
            Assert.True(got == status, $"{json}: {got} {problem}");
            Assert.Contains(text, problem.ToString(), StringComparison.Ordinal);
        }

        foreach (var actor in new[] { replica, "conv-bad" })
            Assert.Empty((await cluster.SendAsync(HttpMethod.Get, $"/api/admin/actors/{actor}/messages?include_delivered=true")).Body.GetProperty("messages").EnumerateArray());
        Assert.Empty(await ConversationsAsync("conv-bad"));

        // The actor CLI in a run, through its node: --to-agent routes (and reports where), a conversation to a replica is refused.
        var outDir = Directory.CreateDirectory(Path.Combine(cluster.WorkRoot, "conv-cli")).FullName;
        var script = $$"""
            "$@" --json send --to-agent conv-bad --conversation cli-1 --text hello > {{outDir}}/ok.json 2>&1; echo $? > {{outDir}}/ok.code
            "$@" send --to-actor-id {{replica}} --conversation cli-2 --text hello > {{outDir}}/bad.txt 2>&1; echo $? > {{outDir}}/bad.code
            exec sleep 1000
            """;
        var command = JsonSerializer.Serialize(new[] { "sh", "-c", script, "sender" }.Concat(ActorCommand()));
        Assert.Equal(HttpStatusCode.Created, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", $$"""{"id":"conv-sender","command":{{command}},"restart_policy":"never","stop_grace_seconds":1}""")).Status);
        await WaitUntilAsync(() => Task.FromResult(File.Exists(Path.Combine(outDir, "bad.code"))), "the sender's two sends");
        Assert.Equal("0", File.ReadAllText(Path.Combine(outDir, "ok.code")).Trim());
        var ok = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "ok.json"))).RootElement;
        var to = ok.GetProperty("handled_by").GetString();
        Assert.Contains(to, new[] { "conv-bad", replica });
        Assert.Equal(("cli-1", false), (ok.GetProperty("conversation").GetString(), ok.GetProperty("affinity_broken").GetBoolean()));
        Assert.Equal(to, Assert.Single(await ConversationsAsync("conv-bad")).GetProperty("replica").GetString());
        Assert.NotEqual("0", File.ReadAllText(Path.Combine(outDir, "bad.code")).Trim());
        Assert.Contains($"on a message to replica '{replica}'", File.ReadAllText(Path.Combine(outDir, "bad.txt")), StringComparison.Ordinal);
        foreach (var id in new[] { "conv-sender", "conv-bad" })
            Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/" + id)).Status);
    }

    private sealed record Line(string Me, string Conversation, int Seen, string Payload, string Notice);

    private async Task<JsonElement> SendAsync(string agent, string conversation, string text)
    {
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/messages",
            JsonSerializer.Serialize(new Dictionary<string, string> { ["to_agent_id"] = agent, ["conversation_id"] = conversation, ["text"] = text }));
        Assert.True(status == HttpStatusCode.Created, $"{status} {body}");
        Assert.Equal(conversation, body.GetProperty("conversation_id").GetString());
        return body;
    }

    private async Task<List<JsonElement>> ConversationsAsync(string agent)
    {
        var (status, body) = await cluster.SendAsync(HttpMethod.Get, $"/api/admin/agents/{agent}/conversations?limit=1000");
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. body.GetProperty("conversations").EnumerateArray()];
    }

    private static async Task<List<Line>> WaitForLinesAsync(string log, int count)
    {
        List<Line> lines = [];
        await WaitUntilAsync(() =>
        {
            try
            {
                // The workers append while this reads: share the file, and take a torn last line as "not yet".
                using var reader = new StreamReader(new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
                lines = [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).Select(e => new Line(e.GetProperty("me").GetString()!,
                    e.GetProperty("conversation").GetString()!, e.GetProperty("seen").GetInt32(), e.GetProperty("payload").GetString()!, e.GetProperty("notice").GetString()!))];
            }
            catch (Exception ex) when (ex is IOException or JsonException)
            {
                return Task.FromResult(false);
            }

            return Task.FromResult(lines.Count >= count);
        }, $"{count} lines in {log}");
        Assert.Equal(count, lines.Count);
        return lines;
    }

    private async Task<string> CreateWorkerAsync(string id, int replicas)
    {
        var log = Path.Combine(cluster.WorkRoot, id + ".log");
        File.WriteAllText(log, "");
        await cluster.CreateWorkerAsync(id, Worker, new Dictionary<string, string> { ["WORK_LOG"] = log }, replicas);
        return log;
    }
}
