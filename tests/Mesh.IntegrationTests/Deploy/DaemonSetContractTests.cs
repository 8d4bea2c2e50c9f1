using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Mesh.Core.Readiness;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;

namespace Mesh.IntegrationTests.Deploy;

/// <summary>
/// What Kubernetes would do with deploy/kubernetes, with real processes and no Kubernetes: the hub and five node "pods"
/// all run the ConfigMap's own mesh.toml. Per pod only what Kubernetes varies differs: MESH_SERVER__NODE_ID (the
/// downward API), the machine's hostPath (data_dir and cert_dir under it) and, as five pods share this one machine,
/// loopback ports instead of the Service's address.
/// </summary>
public sealed class DaemonSetContractTests : IAsyncLifetime
{
    private const string ApiToken = "Daemonset-api-token-0123456789-ABCDEFGH";
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly string _config = Path.Combine(RepositoryPaths.Root, "deploy/kubernetes/mesh.toml");
    private readonly int _grpcPort = FreePort();
    private readonly int _webPort = FreePort();
    private readonly List<MeshProcess> _processes = [];
    private MeshProcess _hub = null!;
    private HttpClient _admin = null!;
    private string _clusterToken = null!;

    public async Task InitializeAsync()
    {
        _hub = Track(MeshProcess.Start(["run", "--config", _config], HubEnvironment()));
        HubReadyLine.Parse(await _hub.WaitForLineAsync(HubReadyLine.Prefix, Start));
        _admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_webPort}") };
        _admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        // The step docs/deploy.md gives the operator: read the token for the nodes' Secret from the running hub.
        var printed = await MeshProcess.RunWithAsync(["cluster-token", "--config", _config], HubEnvironment());
        Assert.True(printed.ExitCode == 0, printed.Stderr);
        _clusterToken = printed.Stdout.Trim();
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
        _admin?.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task FiveNodePods_FromOneConfigMap_JoinWithTheOneToken_RestartKeepsIdentity_WipedHostPathNeedsABoundToken()
    {
        var pods = Enumerable.Range(0, 5).Select(i => StartPod($"k8s-node-{i}", _clusterToken)).ToList();
        foreach (var pod in pods)
            await pod.WaitForLineAsync("mesh node ready: node k8s-node-", Start);
        await WaitUntilOnlineAsync(5);

        // A pod restart: the same hostPath, so the same identity, and no second enrollment.
        await StopAsync(pods[0]);
        var restarted = StartPod("k8s-node-0", _clusterToken);
        await restarted.WaitForLineAsync("mesh node ready: node k8s-node-0", Start);
        Assert.Equal(1, await CountAuditAsync("node.enrolled", "k8s-node-0"));

        // The machine's hostPath wiped: the unbound cluster token cannot take an enrolled id back ...
        await StopAsync(pods[1]);
        Directory.Delete(HostPath("k8s-node-1"), recursive: true);
        var wiped = StartPod("k8s-node-1", _clusterToken);
        Assert.Equal(1, await wiped.WaitForExitAsync(Start));
        Assert.Contains("node id 'k8s-node-1' belongs to an enrolled node", wiped.StandardOutput + wiped.StandardError, StringComparison.Ordinal);

        // ... a token the operator binds to that id can.
        var bound = await _admin.PostAsync("/api/admin/join-tokens", new StringContent("""{"node_id":"k8s-node-1"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, bound.StatusCode);
        var token = JsonDocument.Parse(await bound.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        var readmitted = StartPod("k8s-node-1", token);
        await readmitted.WaitForLineAsync("mesh node ready: node k8s-node-1", Start);
        Assert.Equal(2, await CountAuditAsync("node.enrolled", "k8s-node-1"));
    }

    [Fact]
    public async Task PodWithoutNodeId_ExitsTwoNamingTheVariable()
    {
        var environment = PodEnvironment("ignored", _clusterToken);
        environment.Remove("MESH_SERVER__NODE_ID");

        var run = await MeshProcess.RunWithAsync(["run", "--node-mode", "--config", _config], environment);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("MESH_SERVER__NODE_ID", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PodWithAWrongBootstrapToken_ExitsWithTheReason_WithoutRetryingInALoop()
    {
        var parts = _clusterToken.Split('.');
        var wrong = $"{parts[0]}.{parts[1]}.{Convert.ToBase64String(new byte[32]).TrimEnd('=')}.{parts[3]}";

        var pod = StartPod("k8s-wrong", wrong);
        var code = await pod.WaitForExitAsync(Start);

        Assert.Equal(1, code);
        Assert.Contains("join token is not valid", pod.StandardOutput + pod.StandardError, StringComparison.Ordinal);
        // One attempt, then the exit that Kubernetes answers with its own backoff (CrashLoopBackOff).
        Assert.Equal(1, await CountAuditAsync("join.failed", "k8s-wrong"));
    }

    private MeshProcess StartPod(string nodeId, string token) =>
        Track(MeshProcess.Start(["run", "--node-mode", "--config", _config], PodEnvironment(nodeId, token)));

    private Dictionary<string, string?> HubEnvironment() => new()
    {
        ["MESH_SERVER__LISTEN"] = $"127.0.0.1:{_webPort}",
        ["MESH_INTERNAL_GRPC__LISTEN"] = $"127.0.0.1:{_grpcPort}",
        ["MESH_INTERNAL_GRPC__HEALTH_LISTEN"] = "127.0.0.1:0",
        ["MESH_SERVER__DATA_DIR"] = Path.Combine(_dir.Path, "hub-pvc"),
        ["MESH_INTERNAL_GRPC__SECURITY__CERT_DIR"] = Path.Combine(_dir.Path, "hub-pvc", "certs"),
        ["MESH_INTERNAL_GRPC__BOOTSTRAP__TOKEN"] = ManifestTests.ClusterSecret,
        ["MESH_ADMIN__API_TOKEN"] = ApiToken,
    };

    private Dictionary<string, string?> PodEnvironment(string nodeId, string token) => new()
    {
        ["MESH_SERVER__NODE_ID"] = nodeId,
        ["MESH_INTERNAL_GRPC__BOOTSTRAP__TOKEN"] = token,
        ["MESH_HUB__TARGET"] = $"https://127.0.0.1:{_grpcPort}",
        ["MESH_SERVER__DATA_DIR"] = HostPath(nodeId),
        ["MESH_INTERNAL_GRPC__SECURITY__CERT_DIR"] = Path.Combine(HostPath(nodeId), "certs"),
        ["MESH_INTERNAL_GRPC__HEALTH_LISTEN"] = "127.0.0.1:0",
        ["MESH_NODE__LOCAL_LISTEN"] = "127.0.0.1:0",
    };

    private string HostPath(string nodeId) => Path.Combine(_dir.Path, "hostpath-" + nodeId);

    /// <summary>Stops a pod as Kubernetes does (SIGTERM, then waits).</summary>
    private async Task StopAsync(MeshProcess process)
    {
        _processes.Remove(process);
        process.Terminate();
        Assert.Equal(0, await process.WaitForExitAsync(Start));
        await process.DisposeAsync();
    }

    private MeshProcess Track(MeshProcess process)
    {
        _processes.Add(process);
        return process;
    }

    private async Task WaitUntilOnlineAsync(int count)
    {
        var deadline = DateTime.UtcNow + Start;
        while (true)
        {
            var nodes = JsonDocument.Parse(await _admin.GetStringAsync("/api/admin/agent-nodes")).RootElement.GetProperty("nodes");
            var online = nodes.EnumerateArray().Count(n => n.GetProperty("status").GetString() == "online");
            if (online >= count)
                return;
            Assert.True(DateTime.UtcNow < deadline, $"{online} of {count} nodes online: {nodes}");
            await Task.Delay(200);
        }
    }

    private async Task<int> CountAuditAsync(string action, string target)
    {
        var entries = JsonDocument.Parse(await _admin.GetStringAsync("/api/admin/audit?limit=1000")).RootElement.GetProperty("entries");
        return entries.EnumerateArray().Count(e => e.GetProperty("action").GetString() == action && e.GetProperty("target").GetString() == target);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
