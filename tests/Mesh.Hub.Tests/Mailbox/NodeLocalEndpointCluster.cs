using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Mailbox;

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
        ActorCli.RunAsync(args, new Dictionary<string, string?> { ["MESH_GRPC_TARGET"] = Endpoints[nodeId], ["MESH_ACTOR_TOKEN"] = token });

    /// <summary>The actor CLI as root against the hub (its configuration: internal listener, CA, shared secret).</summary>
    public Task<ActorRun> RootAsync(params string[] args) =>
        ActorCli.RunAsync(["--config", HubConfig, .. args], new Dictionary<string, string?>());

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

/// <summary>One finished run of the actor binary.</summary>
internal sealed record ActorRun(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>The real actor binary (src/ActorCli build output), environment limited to what the test gives it.</summary>
internal static class ActorCli
{
    public static string Dll { get; } = Find();

    public static async Task<ActorRun> RunAsync(IEnumerable<string> args, IDictionary<string, string?> environment, TimeSpan? timeout = null)
    {
        using var process = Start(args, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"actor {string.Join(' ', args)} did not exit in time.\nstdout:\n{await stdout}\nstderr:\n{await stderr}");
        }

        return new ActorRun(process.ExitCode, await stdout, await stderr);
    }

    public static Process Start(IEnumerable<string> args, IDictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MESH_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(name);
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        process.StandardInput.Close();
        return process;
    }

    private static string Find()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(RepositoryPaths.Root, "src", "ActorCli", "bin", configuration, "net10.0", "actor.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"build src/ActorCli first: {path} is missing");
    }
}
