using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Core.Configuration;
using Mesh.Core.Tests;
using Mesh.Hub.Hosting;
using Mesh.Hub.InternalApi;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Hub.Tests.Support;

/// <summary>A real hub in this process: Kestrel on loopback port 0, real TLS/mTLS, real SQLite in a temp dir.</summary>
public sealed class TestHub : IAsyncDisposable
{
    public const string ApiToken = "Test-api-token-0123456789-ABCDEFGHIJ-xyz";
    private readonly WebApplication _app;

    private TestHub(TempDirectory dir, MeshConfig config, WebApplication app, HubListeners listeners)
    {
        Directory = dir;
        Config = config;
        _app = app;
        WebUrl = new Uri(listeners.WebUrl);
        InternalUrl = new Uri(listeners.InternalUrl!);
        Admin = new HttpClient { BaseAddress = WebUrl };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
    }

    public TempDirectory Directory { get; }

    public MeshConfig Config { get; }

    public Uri WebUrl { get; }

    public Uri InternalUrl { get; }

    public HttpClient Admin { get; }

    public IServiceProvider Services => _app.Services;

    public HubIdentity Identity => _app.Services.GetRequiredService<HubIdentity>();

    /// <summary>A gRPC channel to the internal listener that trusts the hub CA (no client certificate).</summary>
    public GrpcChannel Channel() => GrpcTestClients.Channel(InternalUrl, Identity.Authority.Certificate);

    /// <summary>Stops the hub (graceful shutdown: ApplicationStopping first).</summary>
    public Task StopAsync() => _app.StopAsync();

    /// <param name="certDir">The hub's cert_dir: another hub's folder makes the two share one CA (several hubs, one mesh).</param>
    public static async Task<TestHub> StartAsync(string mode = "mtls", string extraToml = "", TimeProvider? time = null, TempDirectory? reuse = null, string securityToml = "",
        string certDir = "hub-certs")
    {
        var dir = reuse ?? new TempDirectory();
        var path = dir.Write("hub.toml", $"""
            [server]
            role = "hub"
            listen = "127.0.0.1:0"
            data_dir = "hub-data"
            [internal_grpc]
            listen = "127.0.0.1:0"
            [internal_grpc.security]
            mode = "{mode}"
            cert_dir = "{certDir}"
            {securityToml}
            [admin]
            api_token = "{ApiToken}"
            {extraToml}
            """);
        var config = ConfigLoader.Load(path, new Dictionary<string, string?>());
        var listeners = new HubListeners();
        var app = HubHost.Build(config, jsonLogs: false, time ?? TimeProvider.System, listeners);
        await HubHost.InitializeAsync(app, CancellationToken.None);
        await app.StartAsync();
        return new TestHub(dir, config, app, listeners);
    }

    /// <summary>Creates a one-time token over the REST API, as an operator would.</summary>
    public async Task<string> CreateTokenAsync(string? ttl = null, int? uses = null, string? nodeId = null)
    {
        var response = await Admin.PostAsJsonAsync("/api/admin/join-tokens", new { ttl, uses, node_id = nodeId });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>A node configuration pointing at this hub, with its own cert_dir under the hub's temp dir.</summary>
    /// <param name="targets">The node's [hub] target list; this hub alone when null.</param>
    public MeshConfig NodeConfig(string nodeId, string? token, string mode = "mtls", string extraToml = "", IReadOnlyList<Uri>? targets = null)
    {
        var target = targets is null
            ? $"\"{InternalUrl.ToString().TrimEnd('/')}\""
            : "[" + string.Join(", ", targets.Select(t => $"\"{t.ToString().TrimEnd('/')}\"")) + "]";
        var path = Directory.Write($"node-{nodeId}.toml", $"""
            [server]
            role = "node"
            node_id = "{nodeId}"
            data_dir = "node-{nodeId}-data"
            [internal_grpc.security]
            mode = "{mode}"
            cert_dir = "node-{nodeId}-certs"
            [hub]
            target = {target}
            {(token is null ? "" : $"[internal_grpc.bootstrap]\ntoken = \"{token}\"")}
            {extraToml}
            """);
        return ConfigLoader.Load(path, new Dictionary<string, string?>());
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
