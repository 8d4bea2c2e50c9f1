using Mesh.Node.Agents.Processes;
using static Mesh.Node.Tests.Agents.AgentRuntime;

namespace Mesh.Node.Tests.Agents;

/// <summary>Cgroups (where the machine gives them) and output bounds.</summary>
public sealed class AgentContainmentTests
{
    [Fact]
    public async Task Stop_also_ends_a_grandchild_that_called_setsid_when_cgroups_are_available()
    {
        await using var node = new AgentRuntime();
        if (node.Cgroups.Description.StartsWith("none", StringComparison.Ordinal))
            return; // no cgroup here (a container without a writable cgroupfs): the session kill is all there is, tested above
        var pidFile = Path.Combine(node.DataDir, "escaped.pid");
        node.Apply(Spec("escaper", "sh", "-c", $"setsid sh -c 'echo $$ > {pidFile}; exec sleep 1000' & exec sleep 1000"));
        var running = await node.WaitForAsync("escaper", s => s.State == "running");
        while (!File.Exists(pidFile) || File.ReadAllText(pidFile).Trim().Length == 0)
            await Task.Delay(20);
        var escaped = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Alive(escaped));
        Assert.DoesNotContain(escaped, ProcessIdentity.InSession(running.Run.HolderPid)); // it did leave the session

        var spec = Spec("escaper", "sh", "-c", "unused");
        spec.DesiredState = Core.Protocol.AgentDesiredState.Stopped;
        node.Apply(spec);
        await node.WaitForAsync("escaper", s => s.State == "stopped");
        Assert.False(Alive(escaped));
        Assert.False(Alive(running.Run.Pid));
    }

    [Fact]
    public async Task A_fork_bomb_under_a_process_limit_stays_within_it_and_stop_clears_it()
    {
        await using var node = new AgentRuntime();
        var spec = Spec("bomb", "bash", "-c", "while :; do sleep 1000 & done 2>/dev/null");
        spec.PidsMax = 20;
        if (!node.Cgroups.CanLimit)
        {
            // Where limits cannot be enforced the run says so rather than pretending.
            spec.Command.Clear();
            spec.Command.Add("true");
            node.Apply(spec);
            var unlimited = await node.WaitForAsync("bomb", s => s.Run is not null);
            Assert.False(unlimited.LimitsEnforced);
            return;
        }

        node.Apply(spec);
        var running = await node.WaitForAsync("bomb", s => s.State == "running");
        Assert.True(running.LimitsEnforced);
        await Task.Delay(1000);
        var cgroup = RunCgroup.Parse(running.Run.Cgroup)!;
        Assert.InRange(cgroup.Processes().Count, 2, 20);

        spec.DesiredState = Core.Protocol.AgentDesiredState.Stopped;
        spec.StopGrace = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(1));
        node.Apply(spec);
        await node.WaitForAsync("bomb", s => s.State == "stopped");
        Assert.Empty(ProcessIdentity.InSession(running.Run.HolderPid));
        Assert.False(Directory.Exists(cgroup.Folders[0]), "the run's cgroup was not removed");
    }

    [Fact]
    public async Task Output_beyond_the_limit_is_dropped_from_disk_while_positions_stay()
    {
        const long limit = 1 << 20;
        await using var node = new AgentRuntime(outputLimitPerRun: limit);
        // 8 MiB of output, then the run waits.
        node.Apply(Spec("chatty", "sh", "-c", "head -c 8388608 /dev/zero | tr '\\0' 'x'; echo; echo tail-line; exec sleep 1000"));
        var running = await node.WaitForAsync("chatty", s => s.State == "running");
        var stdout = Path.Combine(node.Options.RunsRoot, running.Run.RunId, "stdout");
        // The node checks once a second: wait until all output is written and the check after it has run.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && !(new FileInfo(stdout).Length == 8388608 + 11 && DiskBytes(stdout) <= limit + 65536))
            await Task.Delay(100);
        Assert.Equal(8388608 + 1 + 10, new FileInfo(stdout).Length); // positions never reset
        var onDisk = DiskBytes(stdout);
        Assert.True(onDisk <= limit + 65536, $"{onDisk} bytes on disk, limit {limit}");
        Assert.EndsWith("tail-line\n", File.ReadAllText(stdout));
        Assert.True(long.Parse(File.ReadAllText(stdout + ".dropped"), System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task An_agent_that_asks_for_it_is_ended_with_output_limit()
    {
        await using var node = new AgentRuntime(outputLimitPerRun: 1 << 20);
        var spec = Spec("flood", "sh", "-c", "yes flood");
        spec.KillOnOutputLimit = true;
        node.Apply(spec);
        var ended = await node.WaitForAsync("flood", s => s.State == "exited", TimeSpan.FromSeconds(20));
        Assert.Equal("output_limit", ended.Run.Exit.Reason);
    }

    private static long DiskBytes(string path)
    {
        var info = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%b %B", path]) { RedirectStandardOutput = true };
        using var stat = System.Diagnostics.Process.Start(info)!;
        var parts = stat.StandardOutput.ReadToEnd().Trim().Split(' ');
        stat.WaitForExit();
        return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
