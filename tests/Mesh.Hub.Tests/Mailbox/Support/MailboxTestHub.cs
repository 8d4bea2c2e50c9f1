using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mesh.Core.Auth;
using Mesh.Core.Configuration;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Core.Readiness;

namespace Mesh.Hub.Tests.Mailbox.Support;

/// <summary>
/// The real mesh binary as a hub (TLS internal gRPC on loopback port 0, SQLite in a temp dir), with helpers to
/// create actors over REST, mint tokens from its shared secret and open gRPC channels that trust its CA.
/// <see cref="RestartAsync"/> stops it with SIGTERM and starts it again on the same data.
/// </summary>
public sealed class MailboxTestHub : IAsyncDisposable
{
    public const string ApiToken = "Mailbox-test-api-token-0123456789-ABCDEFG";
    private readonly bool _ownsDirectory;
    private MeshProcess? _process;

    private MailboxTestHub(TempDirectory directory, bool ownsDirectory, string extraToml, string mode, string certDir)
    {
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        ConfigPath = directory.Write("hub.toml", $"""
            [server]
            role = "hub"
            listen = "127.0.0.1:0"
            data_dir = "hub-data"
            [internal_grpc]
            listen = "127.0.0.1:0"
            [internal_grpc.security]
            mode = "{mode}"
            cert_dir = "{certDir}"
            [admin]
            api_token = "{ApiToken}"
            {extraToml}
            """);
        Config = ConfigLoader.Load(ConfigPath, new Dictionary<string, string?>());
        Admin = new HttpClient();
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
    }

    public TempDirectory Directory { get; }

    public string ConfigPath { get; }

    public MeshConfig Config { get; }

    public Uri WebUrl { get; private set; } = null!;

    public Uri GrpcUrl { get; private set; } = null!;

    public HttpClient Admin { get; }

    public string CaPath => Path.Combine(Config.InternalGrpc.Security.CertDir, "ca.crt");

    public string StandardOutput => _process?.StandardOutput ?? string.Empty;

    /// <param name="certDir">cert_dir: another hub's makes the two share one CA and secret (several hubs, one mesh).</param>
    public static async Task<MailboxTestHub> StartAsync(string extraToml = "", TempDirectory? directory = null, string mode = "tls", string certDir = "hub-certs")
    {
        var hub = new MailboxTestHub(directory ?? new TempDirectory(), directory is null, extraToml, mode, certDir);
        await hub.LaunchAsync();
        return hub;
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await LaunchAsync();
    }

    public async Task StopAsync()
    {
        if (_process is null)
            return;
        _process.Terminate();
        var code = await _process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"hub exited with {code}\n{_process.StandardError}");
        await _process.DisposeAsync();
        _process = null;
    }

    /// <summary>Rewrites the configuration with the ports bound now, so a restart listens on the same addresses.</summary>
    public void PinPorts()
    {
        var text = File.ReadAllText(ConfigPath);
        var web = text.IndexOf("listen = \"127.0.0.1:0\"", StringComparison.Ordinal);
        text = text[..web] + $"listen = \"127.0.0.1:{WebUrl.Port}\"" + text[(web + "listen = \"127.0.0.1:0\"".Length)..];
        var grpc = text.IndexOf("listen = \"127.0.0.1:0\"", StringComparison.Ordinal);
        text = text[..grpc] + $"listen = \"127.0.0.1:{GrpcUrl.Port}\"" + text[(grpc + "listen = \"127.0.0.1:0\"".Length)..];
        File.WriteAllText(ConfigPath, text);
    }

    /// <summary>Creates an actor over REST; a node placement is registered first (pending), as placement must name a known node.</summary>
    public async Task CreateActorAsync(string id, string? team = null, string? role = null, string? placement = null)
    {
        if (placement is not null && placement != "hub")
            await RegisterNodeAsync(placement);
        var response = await Admin.PostAsJsonAsync(new Uri(WebUrl, "/api/admin/actors"), new Dictionary<string, string?>
        {
            ["id"] = id,
            ["team_id"] = team,
            ["role"] = role,
            ["placement"] = placement,
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Registers a node id (status pending) over REST; one that exists already is fine.</summary>
    public async Task RegisterNodeAsync(string nodeId)
    {
        var response = await Admin.PostAsJsonAsync(new Uri(WebUrl, "/api/admin/agent-nodes"), new Dictionary<string, string> { ["id"] = nodeId });
        Assert.True(response.IsSuccessStatusCode || response.StatusCode == System.Net.HttpStatusCode.Conflict, await response.Content.ReadAsStringAsync());
    }

    public SigningKeyRing Keys => SharedSecretStore.Load(Config);

    public string RootToken() => Issuer().MintWithRootKey(Keys, CallerScope.Root, "root", TimeSpan.FromMinutes(30));

    public string ActorToken(string actorId, TimeSpan? lifetime = null, TimeProvider? time = null) =>
        Issuer(time).MintWithRootKey(Keys, CallerScope.Actor, actorId, lifetime ?? TimeSpan.FromMinutes(30));

    public string NodeSignedActorToken(string nodeId, string actorId) =>
        Issuer().MintWithNodeKey(Keys.DeriveNodeKey(nodeId), nodeId, CallerScope.Actor, actorId, TimeSpan.FromMinutes(30));

    public string NodeToken(string nodeId) =>
        Issuer().MintWithNodeKey(Keys.DeriveNodeKey(nodeId), nodeId, CallerScope.Node, nodeId, TimeSpan.FromMinutes(5));

    public X509Certificate2Collection CaCertificates()
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(CaPath);
        return roots;
    }

    public GrpcChannel Channel() => GrpcTestClients.Channel(GrpcUrl, CaCertificates()[0]);

    public static CallOptions Bearer(string token, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        GrpcTestClients.WithTimeout(timeout ?? TimeSpan.FromSeconds(30), new Metadata { { "authorization", "Bearer " + token } }, cancellationToken);

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await Admin.GetAsync(new Uri(WebUrl, path));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private CallTokenIssuer Issuer(TimeProvider? time = null) => new(Config.InternalGrpc.Auth.Issuer, Config.InternalGrpc.Auth.Audience, time);

    private async Task LaunchAsync()
    {
        _process = MeshProcess.Start(["run", "--config", ConfigPath]);
        var ready = await _process.WaitForLineAsync("mesh hub ready:", TimeSpan.FromSeconds(60));
        (WebUrl, var grpc) = HubReadyLine.Parse(ready);
        GrpcUrl = grpc!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
            await _process.DisposeAsync();
        Admin.Dispose();
        if (_ownsDirectory)
            Directory.Dispose();
    }
}
