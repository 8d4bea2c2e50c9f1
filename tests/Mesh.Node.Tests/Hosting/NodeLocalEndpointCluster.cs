using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.ActorCli.Tests.Support;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;

namespace Mesh.Node.Tests.Hosting;

/// <summary>
/// <see cref="ClusterProcesses"/> whose nodes serve their local endpoint on a loopback port 0, plus the real
/// <c>actor</c> binary run as an agent on a node (its node's endpoint and token) or as root against the hub.
/// </summary>
internal sealed class NodeLocalEndpointCluster : IAsyncDisposable
{
    public const string ApiToken = ClusterProcesses.ApiToken;
    private const string EndpointPrefix = "mesh node local endpoint: ";
    private readonly ClusterProcesses _cluster;

    /// <param name="hubSecurity">Extra keys for the hub's [internal_grpc.security], e.g. a short node_certificate_lifetime.</param>
    public NodeLocalEndpointCluster(TempDirectory dir, string hubSecurity = "") => _cluster = new ClusterProcesses(dir, hubSecurity);

    public int GrpcPort => _cluster.GrpcPort;

    public string HubConfig => _cluster.HubConfig;

    public HttpClient Admin => _cluster.Admin;

    public MeshProcess? Hub => _cluster.Hub;

    public Dictionary<string, string> Endpoints { get; } = new(StringComparer.Ordinal);

    public Task StartHubAsync() => _cluster.StartHubAsync();

    public Task StopHubAsync() => _cluster.StopHubAsync();

    /// <summary>Joins the node with a one-time token and returns its local endpoint URL once it is ready.</summary>
    public async Task<string> JoinNodeAsync(string nodeId)
    {
        var node = await _cluster.JoinNodeAsync(nodeId, nodeSection: "local_listen = \"127.0.0.1:0\"", waitForReady: false);
        return await EndpointAsync(nodeId, node, waitForHub: true);
    }

    /// <summary>Starts a node process and returns its local endpoint URL (printed as soon as it listens).</summary>
    public async Task<string> StartNodeAsync(string nodeId, bool waitForHub) =>
        await EndpointAsync(nodeId, await _cluster.StartNodeAsync(nodeId, waitForReady: false), waitForHub);

    public Task StopNodeAsync(string nodeId) => _cluster.StopNodeAsync(nodeId);

    public MeshProcess Node(string nodeId) => _cluster.Nodes[nodeId];

    public async Task CreateActorAsync(string id, string? placement = null)
    {
        var created = await Admin.PostAsJsonAsync("/api/admin/actors", new { id, name = id, team_id = "crew", role = "worker", placement });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }

    /// <summary>mesh actor-token on the node: a token for <paramref name="actorId"/> signed with the node's key.</summary>
    public async Task<string> MintAsync(string nodeId, string actorId)
    {
        var (code, stdout, stderr) = await MeshProcess.RunAsync("actor-token", "--config", _cluster.NodeConfigs[nodeId], "--actor-id", actorId, "--ttl", "30m");
        Assert.True(code == 0, $"mesh actor-token exit {code}: {stderr}");
        return stdout.Trim();
    }

    /// <summary>The actor CLI as an agent on the node runs it: its node's endpoint and its own token, nothing else.</summary>
    public Task<ActorRun> AgentAsync(string nodeId, string token, params string[] args) =>
        ActorProcess.RunAsync(args, new Dictionary<string, string?> { ["MESH_GRPC_TARGET"] = Endpoints[nodeId], ["MESH_ACTOR_TOKEN"] = token });

    /// <summary>The actor CLI as root against the hub (its configuration: internal listener, CA, shared secret).</summary>
    public Task<ActorRun> RootAsync(params string[] args) =>
        ActorProcess.RunAsync(["--config", HubConfig, .. args], new Dictionary<string, string?>());

    public async Task<string[]> InboxPayloadsAsync(string actorId)
    {
        var run = await RootAsync("--json", "--actor-id", actorId, "inbox", "--include-delivered");
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Json.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("payload").GetString()!).ToArray();
    }

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    private async Task<string> EndpointAsync(string nodeId, MeshProcess node, bool waitForHub)
    {
        var line = await node.WaitForLineAsync(EndpointPrefix, ClusterProcesses.StartTimeout);
        if (waitForHub)
            await node.WaitForLineAsync("mesh node ready:", ClusterProcesses.StartTimeout);
        var url = line[EndpointPrefix.Length..].Trim();
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", url);
        Endpoints[nodeId] = url;
        return url;
    }
}
