using Mesh.Core.Protocol;
using static Mesh.Node.Tests.Agents.AgentRuntime;

namespace Mesh.Node.Tests.Agents;

/// <summary>Runs that cannot start end as start_failed with the OS's reason, and never start a process.</summary>
public sealed class AgentStartCheckTests
{
    [Theory]
    [InlineData("no-such-program-mesh", "no such file: 'no-such-program-mesh' is not in PATH")]
    [InlineData("/nonexistent/agent", "no such file: /nonexistent/agent")]
    [InlineData("", "empty command")]
    public async Task A_missing_program_is_start_failed_with_the_reason(string program, string error)
    {
        await using var node = new AgentRuntime();
        node.Apply(Spec("bad", program));
        var failed = await node.WaitForAsync("bad", s => s.State == "exited");
        Assert.Equal("start_failed", failed.Run.Exit.Reason);
        Assert.Equal(error, failed.Run.Exit.Error);
        Assert.Equal(0, failed.Run.Pid);
    }

    [Fact]
    public async Task A_file_that_is_not_executable_is_permission_denied()
    {
        await using var node = new AgentRuntime();
        var script = node.Write("agent.sh", "echo hi\n");
        node.Apply(Spec("noexec", script));
        var failed = await node.WaitForAsync("noexec", s => s.State == "exited");
        Assert.Equal("start_failed", failed.Run.Exit.Reason);
        Assert.Equal($"permission denied: {script} is not executable", failed.Run.Exit.Error);
    }

    [Fact]
    public async Task Start_failed_under_on_failure_backs_off_instead_of_looping_hot()
    {
        await using var node = new AgentRuntime();
        var spec = Spec("missing", "no-such-program-mesh");
        spec.RestartPolicy = AgentRestartPolicy.OnFailure;
        node.Apply(spec);
        var backoff = await node.WaitForAsync("missing", s => s.State == "backoff");
        Assert.True(backoff.NextStartAt.ToDateTimeOffset() > backoff.At.ToDateTimeOffset());
        await Task.Delay(1500);
        Assert.True(node.Events("missing").Count(e => e.Run?.Exit?.Reason == "start_failed") <= 3);
    }

    [Fact]
    public async Task A_work_folder_outside_safe_paths_is_refused_also_through_a_symlink()
    {
        using var safe = new Mesh.Core.Tests.TempDirectory();
        using var outside = new Mesh.Core.Tests.TempDirectory();
        var link = Path.Combine(safe.Path, "escape");
        Directory.CreateSymbolicLink(link, outside.Path);
        await using var node = new AgentRuntime(safePaths: [safe.Path]);

        var direct = Spec("direct", "true");
        direct.WorkDir = outside.Path;
        var viaLink = Spec("via-link", "true");
        viaLink.WorkDir = link;
        var dotdot = Spec("dotdot", "true");
        dotdot.WorkDir = safe.Path + "/../" + Path.GetFileName(outside.Path);
        var inside = Spec("inside", "sh", "-c", "pwd");
        inside.WorkDir = safe.Path;
        node.Apply(direct, viaLink, dotdot, inside);

        Assert.Equal($"work folder {outside.Path} is outside the node's safe_paths", (await node.WaitForAsync("direct", s => s.State == "exited")).Run.Exit.Error);
        Assert.Equal($"work folder {link} (resolved: {outside.Path}) is outside the node's safe_paths", (await node.WaitForAsync("via-link", s => s.State == "exited")).Run.Exit.Error);
        Assert.Equal("start_failed", (await node.WaitForAsync("dotdot", s => s.State == "exited")).Run.Exit.Reason);
        var ok = await node.WaitForAsync("inside", s => s.State == "exited");
        Assert.Equal("exited", ok.Run.Exit.Reason);
        Assert.Equal([safe.Path], ok.Run.Exit.LastLines);
    }

    [Fact]
    public async Task A_missing_work_folder_is_start_failed()
    {
        await using var node = new AgentRuntime();
        var spec = Spec("nofolder", "true");
        spec.WorkDir = Path.Combine(node.DataDir, "does-not-exist");
        node.Apply(spec);
        var failed = await node.WaitForAsync("nofolder", s => s.State == "exited");
        Assert.Equal($"no such folder: {spec.WorkDir}", failed.Run.Exit.Error);
    }
}
