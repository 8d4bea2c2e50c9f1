using System.Net;
using System.Text.Json;
using static Mesh.IntegrationTests.Agents.AgentCluster;

namespace Mesh.IntegrationTests.Agents;

/// <summary>Agents across a real hub and two real nodes: REST → node → real processes → status back to the hub.</summary>
public sealed class AgentClusterTests(AgentCluster cluster) : IClassFixture<AgentCluster>
{
    [Fact]
    public async Task Create_runs_on_the_chosen_node_and_stop_ends_it_with_nothing_left()
    {
        var (status, created) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            """{"id":"sleeper-1","placement":"n1","command":["sh","-c","echo up; exec sleep 1000"],"stop_grace_seconds":5}""");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("n1", created.GetProperty("node_id").GetString());
        // How fast is bench/AgentBench's to measure (start → running p50/p99); a test only waits.
        var running = await cluster.WaitForAgentAsync("sleeper-1", s => State(s) == "running", pollMs: 10);
        var pid = running.GetProperty("status").GetProperty("run").GetProperty("pid").GetInt32();
        Assert.True(Alive(pid));

        // Its actor exists, placed on n1.
        var (actorStatus, actor) = await cluster.SendAsync(HttpMethod.Get, "/api/admin/actors/sleeper-1");
        Assert.Equal(HttpStatusCode.OK, actorStatus);
        Assert.Equal("n1", actor.GetProperty("placement").GetString());

        Assert.Equal(HttpStatusCode.OK, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/sleeper-1/stop")).Status);
        var stopped = await cluster.WaitForAgentAsync("sleeper-1", s => State(s) == "stopped");
        var exit = stopped.GetProperty("status").GetProperty("run").GetProperty("exit");
        Assert.Equal("stopped", exit.GetProperty("reason").GetString());
        Assert.Equal(15, exit.GetProperty("signal").GetInt32());
        Assert.Contains("up", exit.GetProperty("last_lines").EnumerateArray().Select(l => l.GetString()));
        Assert.False(Alive(pid));

        // Stopping a stopped agent is idempotent.
        Assert.Equal(HttpStatusCode.OK, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/sleeper-1/stop")).Status);
        var (_, runs) = await cluster.SendAsync(HttpMethod.Get, "/api/admin/agents/sleeper-1/runs");
        Assert.Single(runs.GetProperty("runs").EnumerateArray());
        Assert.Equal(HttpStatusCode.NoContent, (await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/sleeper-1")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await cluster.SendAsync(HttpMethod.Get, "/api/admin/actors/sleeper-1")).Status);
    }

    [Fact]
    public async Task Inside_a_run_the_actor_cli_works_with_no_flags()
    {
        await cluster.SendAsync(HttpMethod.Post, "/api/admin/actors", """{"id":"listener-1","placement":"hub"}""");
        var command = JsonSerializer.Serialize(ActorCommand("send", "--to-actor-id", "listener-1", "--text", "hello from a run"));
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            $$"""{"id":"talker-1","placement":"n2","command":{{command}},"restart_policy":"never"}""");
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        var exited = await cluster.WaitForAgentAsync("talker-1", s => State(s) == "exited", TimeSpan.FromSeconds(30));
        var exit = exited.GetProperty("status").GetProperty("run").GetProperty("exit");
        Assert.True(exit.GetProperty("code").GetInt32() == 0, exit.ToString());

        var (_, inbox) = await cluster.SendAsync(HttpMethod.Get, "/api/admin/actors/listener-1/messages");
        var message = Assert.Single(inbox.GetProperty("messages").EnumerateArray());
        Assert.Equal("talker-1", message.GetProperty("from").GetString());
        Assert.Equal("hello from a run", message.GetProperty("payload").GetString());
    }

    [Fact]
    public async Task On_failure_restarts_with_growing_backoff_then_shows_a_crash_loop_and_never_leaves_the_exit_code()
    {
        await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", """{"id":"crasher-1","placement":"n1","command":["sh","-c","exit 3"],"restart_policy":"on-failure"}""");
        await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", """{"id":"once-1","placement":"n2","command":["sh","-c","exit 5"],"restart_policy":"never"}""");
        var loop = await cluster.WaitForAgentAsync("crasher-1", s => State(s) == "crash_loop", TimeSpan.FromSeconds(30));
        Assert.True(loop.GetProperty("status").GetProperty("restarts").GetInt32() >= 3);
        Assert.Equal(3, loop.GetProperty("status").GetProperty("run").GetProperty("exit").GetProperty("code").GetInt32());
        var once = await cluster.WaitForAgentAsync("once-1", s => State(s) == "exited");
        Assert.Equal(5, once.GetProperty("status").GetProperty("run").GetProperty("exit").GetProperty("code").GetInt32());
        Assert.Equal(0, once.GetProperty("status").GetProperty("restarts").GetInt32());
        await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/crasher-1/stop");
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_the_field_and_nothing_is_created()
    {
        (string Body, HttpStatusCode Status, string Text)[] cases =
        [
            ("""{"id":"bad-1","placement":"no-such-node","command":["true"]}""", HttpStatusCode.BadRequest, "unknown node 'no-such-node'"),
            ("""{"id":"bad-2","placement":"n1","command":[]}""", HttpStatusCode.BadRequest, "an agent needs a command"),
            ("""{"id":"bad-3","placement":"n1","command":["true"],"environment":{"1BAD":"x"}}""", HttpStatusCode.BadRequest, "not a valid environment variable name"),
            ("""{"id":"bad-4","placement":"n1","command":["true"],"restart_policy":"sometimes"}""", HttpStatusCode.BadRequest, "restart_policy 'sometimes'"),
            ("""{"id":"bad-5","placement":"n1","command":["true"],"stop_grace_seconds":99999}""", HttpStatusCode.BadRequest, "stop_grace_seconds 99999 is out of range"),
            ("""{"id":"bad-6","placement":"n1","command":["true"],"environment":{"MESH_ACTOR_ID":"x"}}""", HttpStatusCode.BadRequest, "MESH_* variables are set by the node"),
            ("""{"id":"bad-7","placement":"n1","command":["true"],"unknown_field":1}""", HttpStatusCode.BadRequest, "not valid JSON"),
            ("""{"id":"x","placement":"n1","command":["true"]}""", HttpStatusCode.BadRequest, "id:"),
            ("""not json""", HttpStatusCode.BadRequest, "not valid JSON"),
        ];
        foreach (var (body, expected, text) in cases)
        {
            var (status, problem) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", body);
            Assert.True(status == expected, $"{body}: {status} {problem}");
            Assert.Contains(text, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var (_, list) = await cluster.SendAsync(HttpMethod.Get, "/api/admin/agents");
        Assert.DoesNotContain(list.GetProperty("agents").EnumerateArray(), a => a.GetProperty("id").GetString()!.StartsWith("bad-", StringComparison.Ordinal));

        // An id that exists (as an agent, or as an actor) is a conflict.
        Assert.Equal(HttpStatusCode.Created, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", """{"id":"dup-1","placement":"n1","command":["true"],"restart_policy":"never"}""")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", """{"id":"dup-1","placement":"n1","command":["true"]}""")).Status);
        await cluster.SendAsync(HttpMethod.Post, "/api/admin/actors", """{"id":"taken-1"}""");
        Assert.Equal(HttpStatusCode.Conflict, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", """{"id":"taken-1","placement":"n1","command":["true"]}""")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/nobody/start")).Status);
    }

    [Fact]
    public async Task A_missing_program_is_start_failed_with_the_os_reason()
    {
        await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", """{"id":"missing-1","placement":"n1","command":["/nonexistent/agent"],"restart_policy":"never"}""");
        var failed = await cluster.WaitForAgentAsync("missing-1", s => State(s) == "exited");
        var exit = failed.GetProperty("status").GetProperty("run").GetProperty("exit");
        Assert.Equal("start_failed", exit.GetProperty("reason").GetString());
        Assert.Equal("no such file: /nonexistent/agent", exit.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Removing_a_node_with_agents_placed_on_it_is_refused_until_they_are_deleted()
    {
        await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", """{"id":"pinned-1","placement":"n2","command":["sleep","1000"],"desired_state":"stopped"}""");
        var (status, problem) = await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agent-nodes/n2?force=true");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("pinned-1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await cluster.SendAsync(HttpMethod.Delete, "/api/admin/agents/pinned-1");
    }

    [Fact]
    public async Task The_mesh_agents_cli_lists_and_controls_agents_over_rest()
    {
        await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents", """{"id":"cli-1","placement":"n1","command":["sleep","1000"]}""");
        await cluster.WaitForAgentAsync("cli-1", s => State(s) == "running");
        string[] hub = ["--hub", cluster.Admin.BaseAddress!.ToString(), "--token", ApiToken];

        var list = await Hub.Tests.Support.MeshProcess.RunWithAsync(["agents", "list", .. hub], null);
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Matches(@"(?m)^cli-1\s+n1\s+running\s+0\s+-$", list.Stdout);

        var stop = await Hub.Tests.Support.MeshProcess.RunWithAsync(["agents", "stop", "cli-1", "--json", .. hub], null);
        Assert.True(stop.ExitCode == 0, stop.Stderr);
        Assert.Equal("stopped", System.Text.Json.JsonDocument.Parse(stop.Stdout).RootElement.GetProperty("desired_state").GetString());
        await cluster.WaitForAgentAsync("cli-1", s => State(s) == "stopped");
        var get = await Hub.Tests.Support.MeshProcess.RunWithAsync(["agents", "get", "cli-1", .. hub], null);
        Assert.Contains("last exit: stopped, signal 15", get.Stdout, StringComparison.Ordinal);

        var missing = await Hub.Tests.Support.MeshProcess.RunWithAsync(["agents", "start", "nobody", .. hub], null);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("agent 'nobody' does not exist", missing.Stderr, StringComparison.Ordinal);
        var wrongToken = await Hub.Tests.Support.MeshProcess.RunWithAsync(["agents", "list", "--hub", cluster.Admin.BaseAddress!.ToString(), "--token", "wrong"], null);
        Assert.Equal(2, wrongToken.ExitCode);
        Assert.Contains("401", wrongToken.Stderr, StringComparison.Ordinal);
        var noHub = await Hub.Tests.Support.MeshProcess.RunWithAsync(["agents", "list"], null);
        Assert.Equal(2, noHub.ExitCode);
        Assert.Contains("no hub address", noHub.Stderr, StringComparison.Ordinal);
    }
}
