using System.Net;
using System.Text.Json;
using static Mesh.IntegrationTests.Agents.AgentCluster;
using static Mesh.IntegrationTests.Agents.ReplicaClusterTests;

namespace Mesh.IntegrationTests.Agents;

/// <summary>
/// Schedules on a real hub with three real nodes, delivered to replicas that are real processes (schedule_worker.py
/// with the actor CLI): single = each fire time done once across replicas, also when the replica holding a fire is
/// kill -9'd (redelivered after the lease with the same key, never to the same replica); cluster = each fire reaches
/// every live replica once; catch_up once/skip across a hub that is down for three fire times.
/// </summary>
public sealed class ScheduleClusterTests(ReplicaCluster cluster) : IClassFixture<ReplicaCluster>
{
    private static readonly string Worker = Path.Combine(AppContext.BaseDirectory, "agents", "schedule_worker.py");

    [Fact]
    public async Task Single_every_2s_over_5_replicas_with_one_killed_each_fire_is_done_once_and_none_is_lost()
    {
        var log = await CreateWorkerAsync("sch-single", "single", replicas: 5, workSeconds: 1.5);
        var schedule = await CreateScheduleAsync("sch-single", """{"id":"every2-single","every":"2s","mode":"single","lease_seconds":4,"payload":"tick"}""");
        Assert.Equal("once", schedule.GetProperty("catch_up").GetString());

        // Kill -9 a replica while it holds a fire it has not acked.
        await Task.Delay(TimeSpan.FromSeconds(10));
        JsonElement held = default;
        await WaitUntilAsync(async () => (held = (await FiresAsync("sch-single", "every2-single")).FirstOrDefault(f => f.GetProperty("state").GetString() == "claimed"
            && f.GetProperty("replica").GetString() != "sch-single")).ValueKind == JsonValueKind.Object, "a replica holds a fire");
        var victim = held.GetProperty("replica").GetString()!;
        var pid = Replicas(await cluster.AgentAsync("sch-single")).Single(r => Name(r) == victim).GetProperty("run").GetProperty("pid").GetInt32();
        System.Diagnostics.Process.GetProcessById(pid).Kill();
        var heldAt = held.GetProperty("fire_time").GetDateTimeOffset();

        await Task.Delay(TimeSpan.FromSeconds(50));
        Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/sch-single/schedules/every2-single")).Status);
        await Task.Delay(TimeSpan.FromSeconds(6)); // the last fires' work and acks (and any lease) finish

        var fires = (await FiresAsync("sch-single", "every2-single")).OrderBy(f => f.GetProperty("fire_time").GetDateTimeOffset()).ToList();
        Assert.InRange(fires.Count, 27, 33);
        var times = fires.Select(f => f.GetProperty("fire_time").GetDateTimeOffset()).ToList();
        Assert.All(times.Zip(times.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(2), p.Second - p.First)); // none lost
        Assert.All(fires, f => Assert.True(f.GetProperty("state").GetString() == "acked", f.ToString()));
        Assert.All(fires, f =>
        {
            var to = f.GetProperty("delivered_to").EnumerateArray().Select(r => r.GetString()).ToList();
            Assert.Equal(to.Count, to.Distinct().Count()); // never twice to the same replica
        });

        // The killed replica's fire went to another replica after the lease, with the same key.
        var redelivered = fires.Single(f => f.GetProperty("fire_time").GetDateTimeOffset() == heldAt);
        var to = redelivered.GetProperty("delivered_to").EnumerateArray().Select(r => r.GetString()).ToList();
        Assert.True(to.Count == 2 && to[0] != to[1] && to.Contains(victim), redelivered.ToString());

        // Work was done once per fire time across the replicas (by idempotency key), by more than one replica.
        var lines = File.ReadAllLines(log).Select(l => l.Split(' ')).ToList();
        var keys = times.Select(t => $"schedule:every2-single:{t.ToUnixTimeMilliseconds()}").ToHashSet();
        Assert.Equal(keys.Order(), lines.Select(l => l[0]).Order());
        Assert.True(lines.Select(l => l[1]).Distinct().Count() >= 3, string.Join('\n', lines.Select(l => string.Join(' ', l))));
        Assert.DoesNotContain(lines, l => l[0] == $"schedule:every2-single:{heldAt.ToUnixTimeMilliseconds()}" && l[1] == victim);
        Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/sch-single")).Status);
    }

    [Fact]
    public async Task Cluster_each_fire_reaches_every_live_replica_once()
    {
        var log = await CreateWorkerAsync("sch-cluster", "cluster", replicas: 3, workSeconds: 0);
        await CreateScheduleAsync("sch-cluster", """{"id":"every2-cluster","every":"2s","mode":"cluster","payload":"all hands"}""");
        await Task.Delay(TimeSpan.FromSeconds(11));
        Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/sch-cluster/schedules/every2-cluster")).Status);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var names = Replicas(await cluster.AgentAsync("sch-cluster")).Select(Name).Append("sch-cluster").Order().ToList();
        var fires = await FiresAsync("sch-cluster", "every2-cluster");
        Assert.InRange(fires.Count, 4, 7);
        var lines = File.ReadAllLines(log).Select(l => l.Split(' ')).ToList();
        foreach (var fire in fires)
        {
            Assert.Equal("delivered", fire.GetProperty("state").GetString());
            Assert.Equal(names, fire.GetProperty("delivered_to").EnumerateArray().Select(r => r.GetString()!).Order());
            var key = $"schedule:every2-cluster:{fire.GetProperty("fire_time").GetDateTimeOffset().ToUnixTimeMilliseconds()}";
            Assert.Equal(names, lines.Where(l => l[0] == key).Select(l => l[1]).Order()); // each replica once
        }

        Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/sch-cluster")).Status);
    }

    [Fact]
    public async Task Hub_down_across_three_fire_times_catch_up_once_fires_once_and_skip_none()
    {
        await CreateWorkerAsync("sch-catch", "single", replicas: 1, workSeconds: 0);
        await CreateScheduleAsync("sch-catch", """{"id":"catch-once","every":"2s","catch_up":"once","payload":"once"}""");
        await CreateScheduleAsync("sch-catch", """{"id":"catch-skip","every":"2s","catch_up":"skip","payload":"skip"}""");
        await Task.Delay(TimeSpan.FromSeconds(5));
        await cluster.Hub.KillHardAsync();
        var down = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(7));
        await cluster.StartHubAsync();

        // The node reconnects (its backoff may take a while); then the fires planned since are delivered and acked.
        await WaitUntilAsync(async () => (await FiresAsync("sch-catch", "catch-skip")).Count(f => f.GetProperty("state").GetString() == "acked"
            && f.GetProperty("fire_time").GetDateTimeOffset() > down.AddSeconds(8)) >= 2, "fires after the restart acked", TimeSpan.FromSeconds(60));
        foreach (var (id, expected) in new[] { ("catch-once", 1), ("catch-skip", 0) })
        {
            var fires = (await FiresAsync("sch-catch", id)).Select(f => (At: f.GetProperty("fire_time").GetDateTimeOffset(), CatchUp: f.GetProperty("catch_up").GetBoolean(), State: f.GetProperty("state").GetString()))
                .OrderBy(f => f.At).ToList();
            var before = fires.Last(f => f.At < down);
            var after = fires.First(f => f.At > down && !f.CatchUp);
            Assert.True(after.At - before.At >= TimeSpan.FromSeconds(8), $"{id}: at least three fire times passed while the hub was down: {string.Join(", ", fires)}");
            var inGap = fires.Where(f => f.At > before.At && f.At < after.At).ToList();
            Assert.True(inGap.Count == expected && inGap.All(f => f.CatchUp), $"{id}: {string.Join(", ", fires)}");
            Assert.Equal(expected, fires.Count(f => f.CatchUp));
            Assert.Equal(TimeSpan.FromSeconds(2), fires[^1].At - fires[^2].At); // and it goes on as before
            Assert.All(inGap, f => Assert.Equal("acked", f.State));
        }

        Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/sch-catch")).Status);
    }

    [Fact]
    public async Task Bad_schedules_are_refused_with_the_field()
    {
        Assert.Equal(HttpStatusCode.Created, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", """{"id":"sch-bad","command":["sleep","1000"],"stop_grace_seconds":1}""")).Status);
        foreach (var (json, text) in new[]
        {
            ("""{"cron":"0 * * * * *","payload":"x"}""", "has 6 fields; it needs 5"),
            ("""{"cron":"61 * * * *","payload":"x"}""", "minute field '61'"),
            ("""{"cron":"* 24 * * *","payload":"x"}""", "hour field '24'"),
            ("""{"every":"500ms","payload":"x"}""", "below the minimum of 1 s"),
            ("""{"every":"soon","payload":"x"}""", "is not a duration"),
            ("""{"every":"2s","cron":"* * * * *","payload":"x"}""", "exactly one of cron"),
            ("""{"every":"2s","mode":"some","payload":"x"}""", "mode 'some'"),
            ("""{"every":"2s","catch_up":"all","payload":"x"}""", "catch_up 'all'"),
            ("""{"every":"2s"}""", "needs a payload"),
            ("""{"every":"2s","payload":"x","lease_seconds":0}""", "lease_seconds 0"),
        })
        {
            var (status, problem) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/sch-bad/schedules", json);
            Assert.True(status == HttpStatusCode.BadRequest, $"{json}: {status} {problem}");
            Assert.Contains(text, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Empty((await cluster.SendAsync(HttpMethod.Get, "/api/admin/agents/sch-bad/schedules")).Body.GetProperty("schedules").EnumerateArray());
        Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/sch-bad")).Status);
        var (gone, goneProblem) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/sch-bad/schedules", """{"every":"2s","payload":"x"}""");
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.Contains("does not exist", goneProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task<string> CreateWorkerAsync(string id, string mode, int replicas, double workSeconds)
    {
        var log = Path.Combine(cluster.WorkRoot, id + ".log");
        File.WriteAllText(log, "");
        await cluster.CreateWorkerAsync(id, Worker, new Dictionary<string, string>
        {
            ["WORK_LOG"] = log,
            ["MODE"] = mode,
            ["WORK_SECONDS"] = workSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, replicas);
        return log;
    }

    private async Task<JsonElement> CreateScheduleAsync(string agent, string json)
    {
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, $"/api/admin/agents/{agent}/schedules", json);
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        return body;
    }

    private async Task<List<JsonElement>> FiresAsync(string agent, string schedule)
    {
        var (status, body) = await cluster.SendAsync(HttpMethod.Get, $"/api/admin/agents/{agent}/schedules/{schedule}/fires?limit=1000");
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. body.GetProperty("fires").EnumerateArray()];
    }
}
