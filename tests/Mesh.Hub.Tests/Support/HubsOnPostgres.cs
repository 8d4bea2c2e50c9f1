using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mesh.Core.Tests;

namespace Mesh.Hub.Tests.Support;

/// <summary>
/// Several real hub processes (mtls) on one real PostgreSQL database, sharing one CA folder (cert_dir) as hubs that
/// mount the same Secret would, each with its own data_dir and ports; and real node processes joined through one of
/// them with a one-time token.
/// </summary>
internal sealed class HubsOnPostgres(PostgresServer server, TempDirectory dir, string database) : IAsyncDisposable
{
    public const string ApiToken = "Hubs-on-postgres-api-token-0123456789-XYZ";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Dictionary<string, HubProcess> _hubs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MeshProcess> _nodes = new(StringComparer.Ordinal);

    public sealed record HubProcess(string Name, MeshProcess Process, HttpClient Admin, int GrpcPort, string DataDir)
    {
        /// <summary>The id the hub made for itself (data_dir/hub-id).</summary>
        public string Id => File.ReadAllText(Path.Combine(DataDir, "hub-id")).Trim();

        public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null)
        {
            using var request = new HttpRequestMessage(method, path);
            if (json is not null)
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            using var response = await Admin.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
        }
    }

    public string WorkRoot => Directory.CreateDirectory(Path.Combine(dir.Path, "work")).FullName;

    public HubProcess Hub(string name) => _hubs[name];

    public MeshProcess Node(string id) => _nodes[id];

    /// <summary>Starts hub <paramref name="name"/> (its config written on first start) and waits until it serves.</summary>
    public async Task<HubProcess> StartHubAsync(string name, string lease = "15s")
    {
        var settings = await server.DatabaseAsync(database);
        var passwordFile = Path.Combine(dir.Path, "pg-password");
        if (!File.Exists(passwordFile))
        {
            dir.Write("pg-password", server.Password);
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var (web, grpc) = (ClusterProcesses.FreePort(), ClusterProcesses.FreePort());
        var config = dir.Write(name + ".toml", $"""
            [server]
            listen = "127.0.0.1:{web}"
            data_dir = "{name}-data"
            embedded_node = false
            [internal_grpc]
            listen = "127.0.0.1:{grpc}"
            [internal_grpc.security]
            mode = "mtls"
            cert_dir = "shared-certs"
            [admin]
            api_token = "{ApiToken}"
            [store]
            kind = "postgres"
            url = "postgres://{settings.Username}@127.0.0.1:{settings.Port}/{settings.Database}"
            password_file = "{passwordFile}"
            hub_lease = "{lease}"
            """);
        var process = MeshProcess.Start(["run", "--config", config]);
        await process.WaitForLineAsync("mesh hub ready:", StartTimeout);
        var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{web}") };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        return _hubs[name] = new HubProcess(name, process, admin, grpc, Path.Combine(dir.Path, name + "-data"));
    }

    /// <summary>SIGKILL: no lease dropped, no session closed, as when the hub's machine dies.</summary>
    public async Task KillHubAsync(string name)
    {
        var hub = _hubs[name];
        await hub.Process.KillHardAsync();
    }

    /// <summary>Joins node <paramref name="nodeId"/> with a token made on <paramref name="via"/>, pointed at that hub, and waits until it is connected.</summary>
    public async Task<MeshProcess> JoinNodeAsync(string nodeId, HubProcess via)
    {
        var created = await via.Admin.PostAsJsonAsync("/api/admin/join-tokens", new { ttl = "10m" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        var config = dir.Write($"{nodeId}.toml", ClusterProcesses.MtlsNodeConfig(nodeId, token!, via.GrpcPort, $"local_listen = \"127.0.0.1:0\"\nsafe_paths = [\"{WorkRoot}\"]"));
        var node = MeshProcess.Start(["run", "--config", config]);
        _nodes[nodeId] = node;
        await node.WaitForLineAsync("mesh node ready:", StartTimeout);
        return node;
    }

    public void Pause(string nodeId) => ClusterProcesses.Signal(_nodes[nodeId].Id, 19);

    public void Resume(string nodeId) => ClusterProcesses.Signal(_nodes[nodeId].Id, 18);

    /// <summary>Polls until <paramref name="condition"/> holds, failing with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        T? last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await read();
            if (condition(last))
                return last;
            await Task.Delay(100);
        }

        throw new TimeoutException($"{what} did not happen within {timeout ?? TimeSpan.FromSeconds(30)}; last seen: {last}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes.Values)
        {
            // A node left paused would not die of SIGKILL until continued.
            try
            {
                ClusterProcesses.Signal(node.Id, 18);
            }
            catch (InvalidOperationException)
            {
            }

            await node.DisposeAsync();
        }

        foreach (var hub in _hubs.Values)
        {
            await hub.Process.DisposeAsync();
            hub.Admin.Dispose();
        }
    }
}
