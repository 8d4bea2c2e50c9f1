using Mesh.ActorCli.Tests.Support;
using Mesh.Hub.Tests.Mailbox.Support;

namespace Mesh.ActorCli.Tests;

/// <summary>One real hub (mesh binary, TLS on loopback) shared by a test class, with a team: lead, dev, qa (reviewer).</summary>
public sealed class HubFixture : IAsyncLifetime
{
    public MailboxTestHub Hub { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Hub = await MailboxTestHub.StartAsync();
        await Hub.CreateActorAsync("lead", "team1", "lead");
        await Hub.CreateActorAsync("dev", "team1", "worker");
        await Hub.CreateActorAsync("qa", "team1", "reviewer");
    }

    public async Task DisposeAsync() => await Hub.DisposeAsync();

    /// <summary>The environment an agent process gets: endpoint, CA and its own actor token.</summary>
    public Dictionary<string, string?> AgentEnvironment(string actorId, string? token = null) => new()
    {
        ["MESH_GRPC_TARGET"] = Hub.GrpcUrl.ToString(),
        ["MESH_CA_FILE"] = Hub.CaPath,
        ["MESH_ACTOR_TOKEN"] = token ?? Hub.ActorToken(actorId),
    };

    /// <summary>Root mode: only the hub configuration (target, root token and CA come from it).</summary>
    public Dictionary<string, string?> RootEnvironment() => new()
    {
        ["MESH_CONFIG"] = Hub.ConfigPath,
        ["MESH_GRPC_TARGET"] = Hub.GrpcUrl.ToString(),
    };

    public static async Task<ActorRun> RunAsync(IDictionary<string, string?> environment, params string[] args)
    {
        var run = await ActorProcess.RunAsync(args, environment);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal); // never a stack trace
        return run;
    }
}
