using System.Text;
using Google.Protobuf;
using Mesh.Core.Protocol;
using Mesh.Node.Agents.Input;
using Microsoft.Extensions.Logging.Abstractions;
using static Mesh.Node.Tests.Agents.AgentRuntime;

namespace Mesh.Node.Tests.Agents;

/// <summary>Input to running runs and their terminals: real holders, real FIFOs, a real pseudo-terminal with bash in it.</summary>
public sealed class AgentInputTests
{
    [Fact]
    public async Task An_interactive_run_reads_its_input_also_after_a_node_restart()
    {
        await using var node = new AgentRuntime();
        var spec = Spec("echoer", "sh", "-c", "while read line; do echo \"got $line\"; done; echo eof");
        spec.Interactive = true;
        node.Apply(spec);
        var running = await node.WaitForAsync("echoer", s => s.State == "running");
        Assert.True(running.Run.Interactive);

        var result = Send(node, "echoer", "hello\n");
        Assert.True(result.Ok, result.Error);
        Assert.Equal(6, result.AgentInput.Written);
        Assert.Equal(running.Run.RunId, result.AgentInput.RunId);
        await WaitForOutputAsync(node, running.Run.RunId, "got hello\n");

        await node.RestartAsync();
        await node.WaitForAsync("echoer", s => s.State == "running");
        await WaitUntilAsync(() => node.Supervisor.LiveRuns.ContainsKey("echoer"));
        Assert.True(Send(node, "echoer", "again\n").Ok);
        // The holder keeps the FIFO open: no end-of-file reached the command while the node was away.
        var output = await WaitForOutputAsync(node, running.Run.RunId, "got again\n");
        Assert.DoesNotContain("eof", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Input_is_refused_for_a_run_without_stdin_an_exited_run_and_over_the_limit()
    {
        await using var node = new AgentRuntime();
        node.Apply(Spec("quiet", "sleep", "1000"));
        await node.WaitForAsync("quiet", s => s.State == "running");
        await WaitUntilAsync(() => node.Supervisor.LiveRuns.ContainsKey("quiet"));
        var refused = Send(node, "quiet", "x\n");
        Assert.False(refused.Ok);
        Assert.Equal("not_interactive", refused.AgentInput.Refusal);
        Assert.Contains("interactive = false", refused.Error, StringComparison.Ordinal);

        var once = Spec("once", "sh", "-c", "exit 0");
        once.Interactive = true;
        node.Apply(Spec("quiet", "sleep", "1000"), once);
        await node.WaitForAsync("once", s => s.State == "exited");
        await WaitUntilAsync(() => !node.Supervisor.LiveRuns.ContainsKey("once"));
        var ended = Send(node, "once", "x\n");
        Assert.Equal("not_running", ended.AgentInput.Refusal);
        Assert.Contains("no running run", ended.Error, StringComparison.Ordinal);

        var wrongRun = Send(node, "quiet", "x", runId: "r0000");
        Assert.Equal("not_running", wrongRun.AgentInput.Refusal);

        var sleeper = Spec("sleeper", "sleep", "1000");
        sleeper.Interactive = true;
        node.Apply(Spec("quiet", "sleep", "1000"), sleeper);
        await node.WaitForAsync("sleeper", s => s.State == "running");
        await WaitUntilAsync(() => node.Supervisor.LiveRuns.ContainsKey("sleeper"));
        Assert.Equal("too_large", Send(node, "sleeper", new string('x', AgentInputCommandHandler.MaxBytes + 1)).AgentInput.Refusal);
        // A run that never reads: the pipe fills, and the node says so instead of waiting.
        var fill = Send(node, "sleeper", new string('x', AgentInputCommandHandler.MaxBytes));
        Assert.True(fill.Ok, fill.Error);
        var full = Send(node, "sleeper", "more");
        Assert.False(full.Ok);
        Assert.Equal("input_full", full.AgentInput.Refusal);
        Assert.Equal(0, full.AgentInput.Written);
    }

    [Fact]
    public async Task A_tty_run_is_a_real_terminal_with_input_echo_and_resize()
    {
        await using var node = new AgentRuntime();
        var spec = Spec("shell", "bash", "--norc", "--noprofile", "-i");
        spec.Tty = true;
        spec.Environment["PS1"] = "mesh$ ";
        spec.StopGrace = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(1));
        node.Apply(spec);
        var running = await node.WaitForAsync("shell", s => s.State == "running");
        Assert.True(running.Run.Tty);
        Assert.True(running.Run.Interactive);
        await WaitUntilAsync(() => node.Supervisor.LiveRuns.ContainsKey("shell"));
        var runId = running.Run.RunId;
        await WaitForOutputAsync(node, runId, "mesh$ ");

        Assert.True(Send(node, "shell", "echo hi $((40+2)); tput cols; tty\n").Ok);
        var output = await WaitForOutputAsync(node, runId, "hi 42\r\n");
        output = await WaitForOutputAsync(node, runId, "/dev/pts/");
        Assert.Contains("120\r\n", output, StringComparison.Ordinal); // the default size until a viewer sets one

        var resized = Send(node, "shell", "", cols: 77, rows: 20, resize: true);
        Assert.True(resized.Ok, resized.Error);
        Assert.True(Send(node, "shell", "tput cols; tput lines\n").Ok);
        await WaitForOutputAsync(node, runId, "77\r\n20\r\n");

        Assert.Equal("bad_size", Send(node, "shell", "", cols: 0, rows: 0, resize: true).AgentInput.Refusal);
        Assert.Equal("bad_size", Send(node, "shell", "", cols: 100000, rows: 100000, resize: true).AgentInput.Refusal);

        // The command is the session leader of its terminal; stopping it (bash ignores SIGTERM) ends it after the grace.
        Assert.True(Alive(running.Run.Pid));
        spec.DesiredState = AgentDesiredState.Stopped;
        spec.Revision = 2;
        node.Apply(spec);
        var stopped = await node.WaitForAsync("shell", s => s.State == "stopped" && s.Run.Exit is not null);
        Assert.Equal("stopped", stopped.Run.Exit.Reason);
        Assert.False(Alive(running.Run.Pid));
    }

    [Fact]
    public async Task A_tty_run_exit_code_comes_through_and_a_plain_run_cannot_be_resized()
    {
        await using var node = new AgentRuntime();
        var tty = Spec("tty-exit", "sh", "-c", "read x; exit $x");
        tty.Tty = true;
        var plain = Spec("plain", "sh", "-c", "cat");
        plain.Interactive = true;
        node.Apply(tty, plain);
        await node.WaitForAsync("tty-exit", s => s.State == "running");
        await node.WaitForAsync("plain", s => s.State == "running");
        await WaitUntilAsync(() => node.Supervisor.LiveRuns.ContainsKey("tty-exit") && node.Supervisor.LiveRuns.ContainsKey("plain"));
        Assert.Equal("not_tty", Send(node, "plain", "", cols: 80, rows: 24, resize: true).AgentInput.Refusal);
        await WaitUntilAsync(() => node.Supervisor.LiveRuns["tty-exit"].Folder.TerminalPath() is not null);
        Assert.True(Send(node, "tty-exit", "7\n").Ok);
        var exited = await node.WaitForAsync("tty-exit", s => s.State == "exited");
        Assert.Equal(7, exited.Run.Exit.Code);
    }

    private static CommandResult Send(AgentRuntime node, string agentId, string text, int cols = 0, int rows = 0, string runId = "", bool resize = false)
    {
        var handler = new AgentInputCommandHandler(node.Supervisor, NullLogger<AgentInputCommandHandler>.Instance);
        var command = new NodeCommand
        {
            Id = "c1",
            AgentInput = new AgentInputCommand { AgentId = agentId, RunId = runId, Data = ByteString.CopyFromUtf8(text), Resize = resize, Cols = (uint)cols, Rows = (uint)rows },
        };
        var result = new CommandResult { CommandId = "c1", Ok = true };
        handler.HandleAsync(command, result, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return result;
    }

    private static async Task<string> WaitForOutputAsync(AgentRuntime node, string runId, string expected)
    {
        var file = Path.Combine(node.Options.RunsRoot, runId, "stdout");
        var text = "";
        for (var i = 0; i < 200; i++)
        {
            text = File.Exists(file) ? Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)) : "";
            if (text.Contains(expected, StringComparison.Ordinal))
                return text;
            await Task.Delay(50);
        }

        throw new TimeoutException($"no '{expected}' in the run's output; it has: {text}");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
            await Task.Delay(25);
        Assert.True(condition());
    }
}
