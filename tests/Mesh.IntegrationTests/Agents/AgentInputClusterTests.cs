using System.Net;
using System.Net.Http.Headers;
using System.Text;
using static Mesh.IntegrationTests.Agents.AgentCluster;

namespace Mesh.IntegrationTests.Agents;

/// <summary>Input and terminals through the hub's REST API to a real node process: stdin, a bash in a pseudo-terminal, resize, refusals, audit.</summary>
public sealed class AgentInputClusterTests(AgentCluster cluster) : IClassFixture<AgentCluster>
{
    [Fact]
    public async Task Text_base64_and_raw_bytes_reach_an_interactive_run_and_are_audited()
    {
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            """{"id":"reader-1","placement":"n1","interactive":true,"restart_policy":"never","command":["sh","-c","while read line; do echo \"got $line\"; done"]}""");
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        Assert.True(body.GetProperty("interactive").GetBoolean());
        var running = await cluster.WaitForAgentAsync("reader-1", s => State(s) == "running");
        var runId = running.GetProperty("status").GetProperty("run").GetProperty("run_id").GetString()!;
        Assert.True(running.GetProperty("status").GetProperty("run").GetProperty("interactive").GetBoolean());

        var (sent, answer) = await SendInputAsync("reader-1", """{"text":"one\n"}""");
        Assert.True(sent == HttpStatusCode.OK, answer.ToString());
        Assert.Equal(runId, answer.GetProperty("run_id").GetString());
        Assert.Equal(4, answer.GetProperty("written").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await SendInputAsync("reader-1", $$"""{"base64":"{{Convert.ToBase64String("two\n"u8)}}","run":"{{runId}}"}""")).Status);
        using (var raw = new ByteArrayContent("three\n"u8.ToArray()))
        {
            raw.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var response = await cluster.Admin.PostAsync("/api/admin/agents/reader-1/input", raw);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await WaitForOutputAsync("reader-1", runId, "got one\ngot two\ngot three\n");

        var (auditStatus, audit) = await cluster.SendAsync(HttpMethod.Get, "/api/admin/audit?limit=200");
        Assert.Equal(HttpStatusCode.OK, auditStatus);
        var inputs = audit.ToString();
        Assert.Contains("agent.input", inputs, StringComparison.Ordinal);
        Assert.DoesNotContain("got one", inputs, StringComparison.Ordinal);
        Assert.DoesNotContain("three", inputs, StringComparison.Ordinal); // what was typed is never recorded

        // Bad input: neither field, both, bad base64, not JSON, over 64 KiB, a terminal size for a run without one.
        Assert.Equal(HttpStatusCode.BadRequest, (await SendInputAsync("reader-1", "{}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendInputAsync("reader-1", """{"text":"a","base64":"YQ=="}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendInputAsync("reader-1", """{"base64":"*not base64*"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendInputAsync("reader-1", "not json")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendInputAsync("reader-1", $$"""{"text":"{{new string('x', 70_000)}}"}""")).Status);
        var (notTty, why) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/reader-1/resize", """{"cols":80,"rows":24}""");
        Assert.Equal(HttpStatusCode.Conflict, notTty);
        Assert.Contains("tty = false", why.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await SendInputAsync("no-such-agent", """{"text":"x"}""")).Status);
    }

    [Fact]
    public async Task Input_is_refused_with_409_for_a_run_without_stdin_and_for_an_exited_run()
    {
        Assert.Equal(HttpStatusCode.Created, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            """{"id":"deaf-1","placement":"n1","restart_policy":"never","command":["sleep","1000"]}""")).Status);
        await cluster.WaitForAgentAsync("deaf-1", s => State(s) == "running");
        var (status, body) = await SendInputAsync("deaf-1", """{"text":"x\n"}""");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("interactive = false", body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Created, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            """{"id":"gone-1","placement":"n1","interactive":true,"restart_policy":"never","command":["sh","-c","exit 0"]}""")).Status);
        await cluster.WaitForAgentAsync("gone-1", s => State(s) == "exited");
        await WaitUntilAsync(async () => (await SendInputAsync("gone-1", """{"text":"x\n"}""")).Status == HttpStatusCode.Conflict, "input to an exited run refused");
        var (_, ended) = await SendInputAsync("gone-1", """{"text":"x\n"}""");
        Assert.Contains("no running run", ended.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tty_agent_runs_bash_in_a_terminal_that_takes_keys_and_resizes()
    {
        var (status, body) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            """{"id":"term-1","placement":"n1","tty":true,"stop_grace_seconds":1,"restart_policy":"never","environment":{"PS1":"mesh$ "},"command":["bash","--norc","--noprofile","-i"]}""");
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        Assert.True(body.GetProperty("tty").GetBoolean());
        Assert.True(body.GetProperty("interactive").GetBoolean());
        var running = await cluster.WaitForAgentAsync("term-1", s => State(s) == "running");
        var runId = running.GetProperty("status").GetProperty("run").GetProperty("run_id").GetString()!;
        await WaitForOutputAsync("term-1", runId, "mesh$ ");

        await WaitUntilAsync(async () => (await SendInputAsync("term-1", """{"text":"echo hi $((6*7))\r"}""")).Status == HttpStatusCode.OK, "keys accepted");
        await WaitForOutputAsync("term-1", runId, "hi 42\r\n");

        Assert.Equal(HttpStatusCode.BadRequest, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/term-1/resize", """{"cols":0,"rows":0}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/term-1/resize", """{"cols":100000,"rows":100000}""")).Status);
        var (resized, size) = await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/term-1/resize", """{"cols":91,"rows":33}""");
        Assert.True(resized == HttpStatusCode.OK, size.ToString());
        Assert.Equal(HttpStatusCode.OK, (await SendInputAsync("term-1", """{"text":"echo size $(tput cols)x$(tput lines)\r"}""")).Status);
        await WaitForOutputAsync("term-1", runId, "size 91x33\r\n");

        Assert.Equal(HttpStatusCode.OK, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents/term-1/stop")).Status);
        var stopped = await cluster.WaitForAgentAsync("term-1", s => State(s) == "stopped");
        Assert.Equal("stopped", stopped.GetProperty("status").GetProperty("run").GetProperty("exit").GetProperty("reason").GetString());
    }

    private async Task<(HttpStatusCode Status, System.Text.Json.JsonElement Body)> SendInputAsync(string agent, string json) =>
        await cluster.SendAsync(HttpMethod.Post, $"/api/admin/agents/{agent}/input", json);

    private async Task WaitForOutputAsync(string agent, string runId, string expected)
    {
        var text = "";
        await WaitUntilAsync(async () =>
        {
            using var response = await cluster.Admin.GetAsync($"/api/admin/agents/{agent}/runs/{runId}/output?stream=stdout");
            text = response.IsSuccessStatusCode ? Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()) : "";
            return text.Contains(expected, StringComparison.Ordinal);
        }, $"'{expected}' in the output of {agent}", TimeSpan.FromSeconds(20));
    }
}

/// <summary>The CLI side: mesh agents input, logs --tail, and attach in a real pseudo-terminal (util-linux script) with Ctrl-] to detach.</summary>
public sealed class AgentInputCliTests(AgentCluster cluster) : IClassFixture<AgentCluster>
{
    [Fact]
    public async Task Input_sends_a_line_and_logs_tail_prints_the_last_lines()
    {
        Assert.Equal(HttpStatusCode.Created, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            """{"id":"cli-reader","placement":"n1","interactive":true,"restart_policy":"never","command":["sh","-c","seq 1 50; while read line; do echo \"got $line\"; done"]}""")).Status);
        await cluster.WaitForAgentAsync("cli-reader", s => State(s) == "running");
        var sent = await Mesh(["agents", "input", "cli-reader", "from the cli"]);
        Assert.True(sent.ExitCode == 0, sent.Stderr);
        await WaitUntilAsync(async () => (await Mesh(["agents", "logs", "cli-reader", "--tail", "2"])).Stdout.Contains("got from the cli", StringComparison.Ordinal), "the line in the output");
        var tail = await Mesh(["agents", "logs", "cli-reader", "--tail", "2"]);
        Assert.Equal(["50", "got from the cli"], tail.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var refused = await Mesh(["agents", "input", "cli-reader", "x", "--run", "r0000"]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("409", refused.Stderr, StringComparison.Ordinal);
        var piped = await Mesh(["agents", "attach", "cli-reader"]);
        Assert.NotEqual(0, piped.ExitCode);
        Assert.Contains("tty = false", piped.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attach_shows_the_screen_sends_keys_and_detaches_on_ctrl_bracket_leaving_the_run_running()
    {
        Assert.Equal(HttpStatusCode.Created, (await cluster.SendAsync(HttpMethod.Post, "/api/admin/agents",
            """{"id":"cli-term","placement":"n1","tty":true,"stop_grace_seconds":1,"restart_policy":"never","environment":{"PS1":"cli$ "},"command":["bash","--norc","--noprofile","-i"]}""")).Status);
        await cluster.WaitForAgentAsync("cli-term", s => State(s) == "running");

        // The CLI in a pseudo-terminal of its own, as on an operator's machine: util-linux script gives it one.
        static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        var attach = $"stty cols 100 rows 30; exec dotnet {Quote(Hub.Tests.Support.MeshProcess.MeshDll)} agents attach cli-term --hub {Quote(cluster.Admin.BaseAddress!.ToString())} --token {Quote(ApiToken)}";
        var info = new System.Diagnostics.ProcessStartInfo("script") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-q", "-e", "-c", attach, "/dev/null" })
            info.ArgumentList.Add(arg);
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MESH_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(name);
        using var process = System.Diagnostics.Process.Start(info)!;
        var screen = new StringBuilder();
        var reader = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int read;
            while ((read = await process.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (screen)
                    screen.Append(buffer, 0, read);
            }
        });
        string Screen() { lock (screen) return screen.ToString(); }

        await WaitUntilAsync(() => Task.FromResult(Screen().Contains("cli$", StringComparison.Ordinal)), "the prompt through attach", TimeSpan.FromSeconds(30));
        await process.StandardInput.WriteAsync("echo attached-$((2+3)) $(tput cols)\r");
        await process.StandardInput.FlushAsync();
        await WaitUntilAsync(() => Task.FromResult(Screen().Contains("attached-5 100", StringComparison.Ordinal)), "the command's output and the attached terminal's width", TimeSpan.FromSeconds(30));
        await process.StandardInput.WriteAsync("\u001d");
        await process.StandardInput.FlushAsync();
        using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            try
            {
                await process.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("attach did not exit after Ctrl-]; its screen: " + Screen().Replace("\u001b", "ESC", StringComparison.Ordinal));
            }
        }
        await reader;
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("detached from run", Screen(), StringComparison.Ordinal);
        // Raw mode: the keys were echoed once, by bash on the node, not also by the local terminal.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(Screen(), System.Text.RegularExpressions.Regex.Escape("echo attached-")));
        Assert.Equal("running", State((await cluster.AgentAsync("cli-term")).GetProperty("status")));
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> Mesh(string[] args) =>
        await Hub.Tests.Support.MeshProcess.RunAsync([.. args, "--hub", cluster.Admin.BaseAddress!.ToString(), "--token", ApiToken]);
}
