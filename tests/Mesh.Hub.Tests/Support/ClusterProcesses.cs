using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Mesh.Core.Tests;

namespace Mesh.Hub.Tests.Support;

/// <summary>
/// A hub process (mtls) on fixed loopback ports, so it can restart at the same address, and node processes joined to
/// it with one-time tokens created over REST.
/// </summary>
internal sealed partial class ClusterProcesses : IAsyncDisposable
{
    public const string ApiToken = "Cluster-api-token-0123456789-ABCDEFGHIJK";
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir;
    private readonly Dictionary<string, MeshProcess> _nodes = new(StringComparer.Ordinal);

    /// <param name="hubSecurity">Extra keys for the hub's [internal_grpc.security], e.g. a short node_certificate_lifetime.</param>
    public ClusterProcesses(TempDirectory dir, string hubSecurity = "")
    {
        _dir = dir;
        WebPort = FreePort();
        GrpcPort = FreePort();
        HubConfig = dir.Write("hub.toml", $"""
            [server]
            listen = "127.0.0.1:{WebPort}"
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
        Admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebPort}") };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
    }

    public int WebPort { get; }

    public int GrpcPort { get; }

    public HttpClient Admin { get; }

    public string HubConfig { get; }

    public Dictionary<string, string> NodeConfigs { get; } = new(StringComparer.Ordinal);

    public MeshProcess? Hub { get; private set; }

    public IReadOnlyDictionary<string, MeshProcess> Nodes => _nodes;

    public async Task StartHubAsync()
    {
        Hub = MeshProcess.Start(["run", "--config", HubConfig]);
        await Hub.WaitForLineAsync("mesh hub ready:", StartTimeout);
    }

    public async Task StopHubAsync()
    {
        var seen = Hub!.StandardOutput.Length;
        Hub.Terminate();
        Assert.Equal(0, await Hub.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        AssertQuietStop(Hub, seen);
        await Hub.DisposeAsync();
        Hub = null;
    }

    /// <summary>Creates a one-time token over REST, writes the node's config and starts the node with it.</summary>
    /// <param name="nodeSection">Extra keys for the node's [node] section, e.g. local_listen.</param>
    public async Task<MeshProcess> JoinNodeAsync(string nodeId, string capabilities = "", string nodeSection = "", bool waitForReady = true)
    {
        var created = await Admin.PostAsJsonAsync("/api/admin/join-tokens", new { ttl = "10m" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        NodeConfigs[nodeId] = _dir.Write($"{nodeId}.toml", MtlsNodeConfig(nodeId, token!, GrpcPort, $"capabilities = [{capabilities}]\n{nodeSection}"));
        return await StartNodeAsync(nodeId, waitForReady);
    }

    /// <summary>Starts the node process with its written config; with <paramref name="waitForReady"/>, until it is enrolled and connected.</summary>
    public async Task<MeshProcess> StartNodeAsync(string nodeId, bool waitForReady = true)
    {
        var node = MeshProcess.Start(["run", "--config", NodeConfigs[nodeId]]);
        _nodes[nodeId] = node;
        if (waitForReady)
            await node.WaitForLineAsync("mesh node ready:", StartTimeout);
        return node;
    }

    /// <summary>SIGTERM, expecting a clean exit.</summary>
    public async Task StopNodeAsync(string nodeId)
    {
        var node = _nodes[nodeId];
        var seen = node.StandardOutput.Length;
        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        AssertQuietStop(node, seen);
        await node.DisposeAsync();
        _nodes.Remove(nodeId);
    }

    /// <summary>SIGKILL: no goodbye on the stream, as when a machine dies.</summary>
    public async Task KillNodeAsync(string nodeId)
    {
        await _nodes[nodeId].DisposeAsync();
        _nodes.Remove(nodeId);
    }

    public void Pause(string nodeId) => Signal(_nodes[nodeId].Id, 19);

    public void Resume(string nodeId) => Signal(_nodes[nodeId].Id, 18);

    public async Task<Dictionary<string, string>> StatusesAsync()
    {
        var body = JsonDocument.Parse(await Admin.GetStringAsync("/api/admin/agent-nodes")).RootElement;
        return body.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("id").GetString()!, n => n.GetProperty("status").GetString()!);
    }

    /// <summary>Polls the REST list until <paramref name="condition"/> holds; returns how long it took.</summary>
    public async Task<TimeSpan> WaitForAsync(Func<Dictionary<string, string>, bool> condition, TimeSpan timeout, string what)
    {
        var started = DateTime.UtcNow;
        Dictionary<string, string> last = [];
        while (DateTime.UtcNow - started < timeout)
        {
            last = await StatusesAsync();
            if (condition(last))
                return DateTime.UtcNow - started;
            await Task.Delay(250);
        }

        throw new TimeoutException($"{what} did not happen within {timeout}; statuses: {string.Join(", ", last.Select(kv => kv.Key + "=" + kv.Value))}\nhub:\n{Hub?.StandardOutput}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes.Values)
            await node.DisposeAsync();
        if (Hub is not null)
            await Hub.DisposeAsync();
        Admin.Dispose();
    }

    /// <summary>
    /// A clean stop ends the node session on purpose: nothing may report the session as lost because of it and retry.
    /// (Retries for other reasons, e.g. a hub that is down, may still be logged while the process stops.)
    /// </summary>
    private static void AssertQuietStop(MeshProcess process, int outputBefore)
    {
        var afterStop = process.StandardOutput[Math.Min(outputBefore, process.StandardOutput.Length)..];
        Assert.DoesNotContain(afterStop.Split('\n'), line => line.Contains("reconnecting in", StringComparison.Ordinal) && line.Contains("(Cancelled", StringComparison.Ordinal));
    }

    /// <summary>A node's config (mtls, its own data and cert folders) that joins the hub at <paramref name="grpcPort"/> with <paramref name="token"/>.</summary>
    public static string MtlsNodeConfig(string nodeId, string token, int grpcPort, string nodeSection) => $"""
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
        target = "https://127.0.0.1:{grpcPort}"
        [node]
        {nodeSection}
        """;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
