using Mesh.Core.Auth;
using static Mesh.Node.Tests.Agents.AgentRuntime;

namespace Mesh.Node.Tests.Agents;

/// <summary>What a run gets in its environment: its mailbox identity, and none of the node's own secrets.</summary>
public sealed class AgentIdentityTests
{
    [Fact]
    public async Task A_run_gets_its_actor_id_and_a_token_file_and_not_the_nodes_environment()
    {
        Environment.SetEnvironmentVariable("MESH_INTERNAL_GRPC__AUTH__SHARED_SECRET", "node-secret-that-must-not-leak");
        try
        {
            await using var node = new AgentRuntime();
            var spec = Spec("ident", "sh", "-c", "env | sort");
            spec.Environment["GREETING"] = "hello";
            node.Apply(spec);
            var exited = await node.WaitForAsync("ident", s => s.State == "exited");
            var env = File.ReadAllText(Path.Combine(node.Options.RunsRoot, exited.Run.RunId, "stdout"));
            Assert.Contains("MESH_ACTOR_ID=ident\n", env);
            Assert.Contains($"MESH_RUN_ID={exited.Run.RunId}\n", env);
            Assert.Contains("GREETING=hello\n", env);
            Assert.DoesNotContain("node-secret-that-must-not-leak", env);
            var tokenFile = env.Split('\n').Single(l => l.StartsWith("MESH_ACTOR_TOKEN_FILE=", StringComparison.Ordinal))["MESH_ACTOR_TOKEN_FILE=".Length..];
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));
            var check = await new CallTokenValidator(() => node.SigningKeys, "mesh", "mesh-internal", TimeSpan.FromSeconds(30), TimeProvider.System)
                .CheckAsync(File.ReadAllText(tokenFile));
            Assert.True(check.IsValid, check.Failure);
            Assert.Equal("ident", check.Identity!.Subject);
            Assert.Equal(CallerScope.Actor, check.Identity.Scope);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MESH_INTERNAL_GRPC__AUTH__SHARED_SECRET", null);
        }
    }

    [Fact]
    public async Task The_token_file_is_rewritten_before_the_token_expires()
    {
        await using var node = new AgentRuntime(tokenLifetime: TimeSpan.FromSeconds(4));
        node.Apply(Spec("long", "sleep", "1000"));
        var running = await node.WaitForAsync("long", s => s.State == "running");
        var tokenFile = Path.Combine(node.Options.RunsRoot, running.Run.RunId, "token");
        var first = File.ReadAllText(tokenFile);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (File.ReadAllText(tokenFile) == first && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.NotEqual(first, File.ReadAllText(tokenFile));
    }
}
