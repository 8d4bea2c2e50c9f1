using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Mailbox;

/// <summary>
/// A real hub process (mtls, fixed loopback ports so it can restart at the same address), node processes joined with
/// one-time tokens over REST, each with its local endpoint on a loopback port 0, and the real <c>actor</c> binary.
/// </summary>
internal sealed class NodeLocalEndpointCluster : IAsyncDisposable
{
    public const string ApiToken = "NodeLocal-api-token-0123456789-ABCDEFGHIJ";
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private const string EndpointPrefix = "mesh node local endpoint: ";
    private readonly TempDirectory _dir;
    private readonly Dictionary<string, MeshProcess> _nodes = new(StringComparer.Ordinal);

    /// <param name="hubSecurity">Extra keys for the hub's [internal_grpc.security], e.g. a short node_certificate_lifetime.</param>
    public NodeLocalEndpointCluster(TempDirectory dir, string hubSecurity = "")
    {
        _dir = dir;
        var webPort = FreePort();
        GrpcPort = FreePort();
        HubConfig = dir.Write("hub.toml", $"""
            [server]
            listen = "127.0.0.1:{webPort}"
            data_dir = "hub-data"
            [internal_grpc]
            listen = "127.0.0.1:{GrpcPort}"
            [internal_grpc.security]
            mode = "mtls"
            cert_dir = "hub-certs"
            {hubSecurity}
            [admin]
            api_token = "{ApiToken}"
            """);
        Admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}") };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
    }

    public int GrpcPort { get; }

    public string HubConfig { get; }

    public HttpClient Admin { get; }

    public MeshProcess? Hub { get; private set; }

    public Dictionary<string, string> NodeConfigs { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Endpoints { get; } = new(StringComparer.Ordinal);

    public async Task StartHubAsync()
    {
        Hub = MeshProcess.Start(["run", "--config", HubConfig]);
        await Hub.WaitForLineAsync("mesh hub ready:", StartTimeout);
    }

    public async Task StopHubAsync()
    {
        Hub!.Terminate();
        Assert.Equal(0, await Hub.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await Hub.DisposeAsync();
        Hub = null;
    }

    /// <summary>Creates a one-time join token over REST, writes the node's config and starts it until it is ready.</summary>
    public async Task<string> JoinNodeAsync(string nodeId)
    {
        var created = await Admin.PostAsJsonAsync("/api/admin/join-tokens", new { ttl = "10m" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        NodeConfigs[nodeId] = _dir.Write($"{nodeId}.toml", $"""
            [server]
            role = "node"
            node_id = "{nodeId}"
            data_dir = "{nodeId}-data"
            [internal_grpc.security]
            mode = "mtls"
            cert_dir = "{nodeId}-certs"
            [internal_grpc.bootstrap]
            token = "{token}"
            [hub]
            target = "https://127.0.0.1:{GrpcPort}"
            [node]
            local_listen = "127.0.0.1:0"
            """);
        return await StartNodeAsync(nodeId, waitForHub: true);
    }

    /// <summary>Starts a node process and returns its local endpoint URL (printed as soon as it listens).</summary>
    public async Task<string> StartNodeAsync(string nodeId, bool waitForHub)
    {
        var node = MeshProcess.Start(["run", "--config", NodeConfigs[nodeId]]);
        _nodes[nodeId] = node;
        var line = await node.WaitForLineAsync(EndpointPrefix, StartTimeout);
        if (waitForHub)
            await node.WaitForLineAsync("mesh node ready:", StartTimeout);
        var url = line[EndpointPrefix.Length..].Trim();
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", url);
        Endpoints[nodeId] = url;
        return url;
    }

    public async Task StopNodeAsync(string nodeId)
    {
        var node = _nodes[nodeId];
        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await node.DisposeAsync();
        _nodes.Remove(nodeId);
    }

    public MeshProcess Node(string nodeId) => _nodes[nodeId];

    public async Task CreateActorAsync(string id, string? placement = null)
    {
        var created = await Admin.PostAsJsonAsync("/api/admin/actors", new { id, name = id, team_id = "crew", role = "worker", placement });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }

    /// <summary>mesh actor-token on the node: a token for <paramref name="actorId"/> signed with the node's key.</summary>
    public async Task<string> MintAsync(string nodeId, string actorId)
    {
        var (code, stdout, stderr) = await MeshProcess.RunAsync("actor-token", "--config", NodeConfigs[nodeId], "--actor-id", actorId, "--ttl", "30m");
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

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes.Values)
            await node.DisposeAsync();
        if (Hub is not null)
            await Hub.DisposeAsync();
        Admin.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
