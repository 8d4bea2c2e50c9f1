using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Sessions;

/// <summary>A hub process on fixed loopback ports (so it can restart at the same address) and node processes joined to it.</summary>
internal sealed partial class ClusterProcesses : IAsyncDisposable
{
    public const string ApiToken = "Sessions-api-token-0123456789-ABCDEFGHIJ";
    private readonly TempDirectory _dir;
    private readonly Dictionary<string, MeshProcess> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodeConfigs = new(StringComparer.Ordinal);
    private readonly string _hubConfig;

    public ClusterProcesses(TempDirectory dir)
    {
        _dir = dir;
        WebPort = FreePort();
        GrpcPort = FreePort();
        _hubConfig = dir.Write("hub.toml", $"""
            [server]
            listen = "127.0.0.1:{WebPort}"
            data_dir = "hub-data"
            [internal_grpc]
            listen = "127.0.0.1:{GrpcPort}"
            [internal_grpc.security]
            mode = "mtls"
            cert_dir = "hub-certs"
            [admin]
            api_token = "{ApiToken}"
            """);
        Admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebPort}") };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
    }

    public int WebPort { get; }

    public int GrpcPort { get; }

    public HttpClient Admin { get; }

    public MeshProcess? Hub { get; private set; }

    public IReadOnlyDictionary<string, MeshProcess> Nodes => _nodes;

    public async Task StartHubAsync()
    {
        Hub = MeshProcess.Start(["run", "--config", _hubConfig]);
        await Hub.WaitForLineAsync("mesh hub ready:", TimeSpan.FromSeconds(60));
    }

    public async Task StopHubAsync()
    {
        Hub!.Terminate();
        Assert.Equal(0, await Hub.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await Hub.DisposeAsync();
        Hub = null;
    }

    /// <summary>Creates a one-time token over REST and starts a node process with it.</summary>
    public async Task<MeshProcess> JoinNodeAsync(string nodeId, string capabilities = "")
    {
        var created = await Admin.PostAsJsonAsync("/api/admin/join-tokens", new { ttl = "10m" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        _nodeConfigs[nodeId] = _dir.Write($"{nodeId}.toml", $"""
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
            capabilities = [{capabilities}]
            """);
        return await StartNodeAsync(nodeId);
    }

    public async Task<MeshProcess> StartNodeAsync(string nodeId)
    {
        var node = MeshProcess.Start(["run", "--config", _nodeConfigs[nodeId]]);
        _nodes[nodeId] = node;
        await node.WaitForLineAsync("mesh node ready:", TimeSpan.FromSeconds(60));
        return node;
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
