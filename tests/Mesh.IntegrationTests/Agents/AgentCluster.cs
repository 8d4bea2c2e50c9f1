using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Mesh.ActorCli.Tests.Support;
using Mesh.Core.Readiness;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;

namespace Mesh.IntegrationTests.Agents;

/// <summary>
/// A real mesh: a hub process (no embedded node) and two node processes, n1 and n2, joined with the cluster token
/// over TLS, each with its own data_dir (a derived fixture picks other nodes and their max_agents). At the end every
/// process is stopped and every agent run still alive (runs outlive their nodes by design) is killed by its session.
/// </summary>
public class AgentCluster : IAsyncLifetime
{
    public const string ApiToken = "Agent-cluster-api-token-0123456789-ABCDEF";

    /// <summary>The nodes' [metrics] node_token: each node serves /metrics on a port of its own.</summary>
    public const string MetricsToken = "Agent-cluster-metrics-token-9876543210-XYZ";
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly int _grpcPort = FreePort();
    private readonly int _webPort = FreePort();
    private readonly Dictionary<string, MeshProcess> _nodes = [];
    private readonly Dictionary<string, Uri> _metrics = [];
    private string _clusterToken = null!;

    private readonly IReadOnlyList<string> _nodeIds;
    private readonly IReadOnlyDictionary<string, int>? _maxAgents;

    public AgentCluster()
        : this(["n1", "n2"])
    {
    }

    protected AgentCluster(IReadOnlyList<string> nodeIds, IReadOnlyDictionary<string, int>? maxAgents = null)
    {
        _nodeIds = nodeIds;
        _maxAgents = maxAgents;
    }

    public IReadOnlyList<string> NodeIds => _nodeIds;

    public MeshProcess Hub { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    public string ConfigPath => Path.Combine(_dir.Path, "mesh.toml");

    public MeshProcess Node(string id) => _nodes[id];

    /// <summary>The hub's internal gRPC port (a node may be pointed elsewhere, e.g. through a relay to it).</summary>
    public int GrpcPort => _grpcPort;

    public async Task InitializeAsync()
    {
        File.WriteAllText(ConfigPath, $"""
            [server]
            role = "hub"
            listen = "127.0.0.1:{_webPort}"
            data_dir = "{_dir.Path}/hub"
            embedded_node = false

            [internal_grpc]
            listen = "127.0.0.1:{_grpcPort}"

            [internal_grpc.security]
            mode = "tls"

            [internal_grpc.bootstrap]
            token = "{Deploy.ManifestTests.ClusterSecret}"

            [hub]
            target = "https://127.0.0.1:{_grpcPort}"

            [node]
            local_listen = "127.0.0.1:0"
            safe_paths = ["{_dir.Path}/work"]

            [worktree]
            default_root = "{_dir.Path}/worktrees"

            [admin]
            api_token = "{ApiToken}"
            """);
        await StartHubAsync();
        var printed = await MeshProcess.RunWithAsync(["cluster-token", "--config", ConfigPath], null);
        Assert.True(printed.ExitCode == 0, printed.Stderr);
        _clusterToken = printed.Stdout.Trim();
        await Task.WhenAll(_nodeIds.Select(id => StartNodeAsync(id)));
        await WaitUntilAsync(async () =>
        {
            var nodes = JsonDocument.Parse(await Admin.GetStringAsync("/api/admin/agent-nodes")).RootElement.GetProperty("nodes");
            return nodes.EnumerateArray().Count(n => n.GetProperty("status").GetString() == "online") == _nodeIds.Count;
        }, "every node online");
    }

    public async Task StartHubAsync()
    {
        Hub = MeshProcess.Start(["run", "--config", ConfigPath]);
        HubReadyLine.Parse(await Hub.WaitForLineAsync(HubReadyLine.Prefix, Start));
        Admin ??= new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_webPort}") };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
    }

    /// <summary>
    /// Starts node <paramref name="id"/>; <paramref name="hubPort"/> points it at another port than the hub's own;
    /// <paramref name="settings"/> are more MESH_… variables for it.
    /// </summary>
    public async Task StartNodeAsync(string id, int? hubPort = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["MESH_SERVER__NODE_ID"] = id,
            ["MESH_SERVER__DATA_DIR"] = NodeDataDir(id),
            ["MESH_INTERNAL_GRPC__BOOTSTRAP__TOKEN"] = _clusterToken,
            ["MESH_HUB__TARGET"] = $"https://127.0.0.1:{hubPort ?? _grpcPort}",
            ["MESH_METRICS__NODE_LISTEN"] = "127.0.0.1:0",
            ["MESH_METRICS__NODE_TOKEN"] = MetricsToken,
        };
        if (_maxAgents?.GetValueOrDefault(id) is > 0 and var max)
            environment["MESH_NODE__MAX_AGENTS"] = max.ToString(CultureInfo.InvariantCulture);
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
            environment[name] = value;
        var node = MeshProcess.Start(["run", "--node-mode", "--config", ConfigPath], environment);
        _nodes[id] = node;
        var metrics = await node.WaitForLineAsync("mesh node metrics: ", Start);
        _metrics[id] = new Uri(metrics["mesh node metrics: ".Length..].Split(' ')[0]);
        await node.WaitForLineAsync($"mesh node ready: node {id}", Start);
    }

    /// <summary>The node's /metrics (with its token) as text.</summary>
    public async Task<string> ScrapeNodeAsync(string id)
    {
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MetricsToken);
        return await client.GetStringAsync(_metrics[id]);
    }

    public string NodeDataDir(string id) => Path.Combine(_dir.Path, "node-" + id);

    /// <summary>The hub's data_dir.</summary>
    public string HubDataDir => Path.Combine(_dir.Path, "hub");

    /// <summary>The nodes' [node] safe_paths (made on first use); worktrees without a path go to <see cref="WorktreeRoot"/>.</summary>
    public string WorkRoot => Directory.CreateDirectory(Path.Combine(_dir.Path, "work")).FullName;

    public string WorktreeRoot => Path.Combine(_dir.Path, "worktrees");

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public async Task<JsonElement> AgentAsync(string id)
    {
        var (status, body) = await SendAsync(HttpMethod.Get, "/api/admin/agents/" + id);
        Assert.Equal(HttpStatusCode.OK, status);
        return body;
    }

    /// <summary>Polls GET /api/admin/agents/{id} until <paramref name="condition"/> holds on its status; returns the agent.</summary>
    public async Task<JsonElement> WaitForAgentAsync(string id, Func<JsonElement, bool> condition, TimeSpan? timeout = null, int pollMs = 50)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await AgentAsync(id);
            if (condition(last.GetProperty("status")))
                return last;
            await Task.Delay(pollMs);
        }

        throw new TimeoutException($"agent {id}: condition not met; last: {last}");
    }

    public static string State(JsonElement status) => status.GetProperty("state").GetString()!;

    /// <summary>The argv that runs the actor CLI this test suite runs (the AOT binary from test.sh, else dotnet actor.dll).</summary>
    public static string[] ActorCommand(params string[] args) =>
        ActorProcess.NativeBinary is { } native ? [native, .. args] : ["dotnet", ActorProcess.ActorDll, .. args];

    public virtual async Task DisposeAsync()
    {
        // Nodes alone first: a node that saw its runs die would start them again.
        foreach (var node in _nodes.Values)
        {
            await node.KillHardAsync();
            await node.DisposeAsync();
        }
        if (Hub is not null)
            await Hub.DisposeAsync();
        Admin?.Dispose();
        KillRunsUnder(_dir.Path);
        _dir.Dispose();
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Start);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for: " + what);
            await Task.Delay(100);
        }
    }

    /// <summary>True while the process lives (a zombie does not count).</summary>
    public static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] is not 'Z' and not 'X';
        }
        catch (IOException)
        {
            return false;
        }
    }

    // Run holders carry their run folder (under this test's temp dir) on their command line; each leads a session.
    // Their cgroups (named by run id) go too, as no node is left to remove them.
    private static void KillRunsUnder(string path)
    {
        var runIds = Directory.GetDirectories(path, "runs", SearchOption.AllDirectories).SelectMany(Directory.GetDirectories).Select(Path.GetFileName).ToHashSet();
        var search = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MaxRecursionDepth = 4 };
        var cgroups = Directory.GetDirectories("/sys/fs/cgroup", "mesh-agents", search)
            .SelectMany(Directory.GetDirectories).Where(d => runIds.Contains(Path.GetFileName(d))).ToList();
        foreach (var cgroup in cgroups.Where(c => File.Exists(Path.Combine(c, "cgroup.kill"))))
            File.WriteAllText(Path.Combine(cgroup, "cgroup.kill"), "1");
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(path, StringComparison.Ordinal))
                {
                    using var kill = System.Diagnostics.Process.Start("kill", ["-KILL", "--", "-" + pid.ToString(CultureInfo.InvariantCulture)]);
                    kill?.WaitForExit();
                }
            }
            catch (IOException)
            {
            }
        }

        Thread.Sleep(200);
        foreach (var cgroup in cgroups)
        {
            try
            {
                Directory.Delete(cgroup);
            }
            catch (IOException)
            {
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
