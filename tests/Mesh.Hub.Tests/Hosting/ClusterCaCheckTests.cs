using Mesh.Core.Tests;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Hub.Tests.Hosting;

/// <summary>
/// One store, one CA: the first hub records its CA's pin in the store; a hub with other CA files (the real mesh
/// binary) refuses to start against it, on PostgreSQL (a second hub) and on SQLite (a replaced cert_dir).
/// </summary>
[Collection(PostgresServer.Collection)]
public sealed class ClusterCaCheckTests(PostgresServer server) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Run_SecondHubWithAnotherCaOnOnePostgres_ExitsOneSayingWhy_SameCaStarts()
    {
        var settings = await server.DatabaseAsync("two_cas");
        var store = server.HubStoreToml(settings, _dir);
        await using var first = await TestHub.StartAsync(extraToml: store, reuse: _dir);
        var firstPin = first.Identity.Authority.Pin;

        var (code, stdout, stderr) = await MeshProcess.RunWithAsync(["run", "--config", HubConfig("other-certs", store)], null);
        using var sameCaDir = new TempDirectory();
        await using var sameCa = await TestHub.StartAsync(extraToml: store, reuse: sameCaDir, certDir: Path.Combine(_dir.Path, "hub-certs"));

        Assert.Equal(1, code);
        Assert.DoesNotContain("mesh hub ready", stdout, StringComparison.Ordinal);
        Assert.Contains($"error: this hub's CA (cert_dir '{Path.Combine(_dir.Path, "other-certs")}', pin ", stderr, StringComparison.Ordinal);
        Assert.Contains($"is not the CA of the mesh in the store postgres://mesh@127.0.0.1:{server.Port}/two_cas, which was recorded with CA pin {firstPin} by {Environment.MachineName}", stderr, StringComparison.Ordinal);
        Assert.Contains("Every hub serving one mesh must use the same ca.crt and ca.key", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Password, stdout + stderr, StringComparison.Ordinal);
        Assert.Equal(firstPin, sameCa.Identity.Authority.Pin);
        var recorded = await sameCa.Services.GetRequiredService<HubSettings>().ClaimAsync("cluster_ca_pin", "sha256/not-this-one", "test", CancellationToken.None);
        Assert.Equal(firstPin, recorded.Value);
    }

    [Fact]
    public async Task Run_SqliteStoreWithReplacedCertDir_ExitsOneSayingWhy()
    {
        await using (var hub = await TestHub.StartAsync(reuse: _dir))
            await hub.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path.Combine(_dir.Path, "hub-certs"), recursive: true);

        var (code, stdout, stderr) = await MeshProcess.RunWithAsync(["run", "--config", HubConfig("hub-certs", "")], null);

        Assert.Equal(1, code);
        Assert.DoesNotContain("mesh hub ready", stdout, StringComparison.Ordinal);
        Assert.Contains($"is not the CA of the mesh in the store {Path.Combine(_dir.Path, "hub-data", "mesh.db")}, which was recorded with CA pin", stderr, StringComparison.Ordinal);
        Assert.Contains("DELETE FROM hub_settings WHERE key = 'cluster_ca_pin';", stderr, StringComparison.Ordinal);
    }

    private string HubConfig(string certDir, string store) => _dir.Write("hub-2.toml", $"""
        [server]
        role = "hub"
        listen = "127.0.0.1:0"
        data_dir = "hub-data"
        embedded_node = false
        [internal_grpc]
        listen = "127.0.0.1:0"
        [internal_grpc.security]
        mode = "mtls"
        cert_dir = "{certDir}"
        {store}
        """);
}
