using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Cli;

public sealed class RunCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string HubConfig(string listen = "127.0.0.1:0") => _dir.Write("hub.toml", $"""
        [server]
        role = "hub"
        listen = "{listen}"
        data_dir = "data"
        [internal_grpc]
        listen = "127.0.0.1:0"
        """);

    [Fact]
    public async Task Run_Hub_ServesHealthzAndStopsCleanlyOnSigterm()
    {
        await using var mesh = MeshProcess.Start(["run", "--config", HubConfig()]);

        var ready = await mesh.WaitForLineAsync("mesh hub ready: web ", TimeSpan.FromSeconds(30));
        var web = new Uri(ready["mesh hub ready: web ".Length..].Split(',')[0].Trim());
        Assert.Matches(@", internal gRPC https://127\.0\.0\.1:\d+$", ready);
        using var http = new HttpClient();
        Assert.Equal("ok\n", await http.GetStringAsync(new Uri(web, "/healthz")));
        Assert.True(Directory.Exists(Path.Combine(_dir.Path, "data")));

        mesh.Terminate();

        Assert.Equal(0, await mesh.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.DoesNotContain("fail:", mesh.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Hub_StartsItsLocalNodeThroughRealEnrollment_AndReusesItsIdentityOnRestart()
    {
        var config = HubConfig();
        await using (var mesh = MeshProcess.Start(["run", "--config", config]))
        {
            var ready = await mesh.WaitForLineAsync("mesh node ready: node main in cluster", TimeSpan.FromSeconds(60));
            Assert.Contains("hub https://127.0.0.1:", ready, StringComparison.Ordinal);
            mesh.Terminate();
            Assert.Equal(0, await mesh.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        var certs = Path.Combine(_dir.Path, "data", "node-main", "certs");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(certs, "node.key")));
        var serial = File.ReadAllText(Path.Combine(certs, "node.crt"));

        // Second start: the node is enrolled already, so no token is minted and the same certificate is used.
        await using (var again = MeshProcess.Start(["run", "--config", config]))
        {
            await again.WaitForLineAsync("mesh node ready: node main", TimeSpan.FromSeconds(60));
            again.Terminate();
            Assert.Equal(0, await again.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Equal(serial, File.ReadAllText(Path.Combine(certs, "node.crt")));
    }

    [Fact]
    public async Task Run_HubWithEmbeddedNodeOff_StartsNoNode()
    {
        var config = _dir.Write("hub-only.toml", """
            [server]
            listen = "127.0.0.1:0"
            data_dir = "data-only"
            embedded_node = false
            [internal_grpc]
            listen = "127.0.0.1:0"
            """);
        await using var mesh = MeshProcess.Start(["run", "--config", config]);

        await mesh.WaitForLineAsync("mesh hub ready:", TimeSpan.FromSeconds(30));
        await Task.Delay(1500);
        mesh.Terminate();
        Assert.Equal(0, await mesh.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.DoesNotContain("mesh node ready", mesh.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_IsTheDefaultVerb_AndMeshConfigIsTheFallback()
    {
        await using var mesh = MeshProcess.Start([], new Dictionary<string, string?> { ["MESH_CONFIG"] = HubConfig() });

        await mesh.WaitForLineAsync("mesh hub ready: web http://127.0.0.1:", TimeSpan.FromSeconds(30));
        mesh.Terminate();
        Assert.Equal(0, await mesh.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Run_JsonLogs_WritesOneJsonObjectPerLine()
    {
        await using var mesh = MeshProcess.Start(["run", "--config", HubConfig(), "--log-format", "json"]);

        await mesh.WaitForLineAsync("mesh hub ready", TimeSpan.FromSeconds(30));
        mesh.Terminate();
        await mesh.WaitForExitAsync(TimeSpan.FromSeconds(20));

        var logLines = mesh.StandardOutput.Split('\n').Where(l => l.StartsWith('{')).ToList();
        Assert.NotEmpty(logLines);
        Assert.All(logLines, l => Assert.Equal("Information", System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("LogLevel").GetString()));
    }

    [Fact]
    public async Task Run_PortInUse_ExitsOneWithOneLineError()
    {
        using var blocker = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((System.Net.IPEndPoint)blocker.LocalEndpoint).Port;

        await using var mesh = MeshProcess.Start(["run", "--config", HubConfig($"127.0.0.1:{port}")]);
        var code = await mesh.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, code);
        Assert.Contains($"error: cannot listen on 127.0.0.1:{port} ([server] listen): the address is already in use.", mesh.StandardError, StringComparison.Ordinal);
        ConfigCheckCommandTests.AssertNoStackTrace(mesh.StandardError);
    }

    [Fact]
    public async Task Run_BadConfig_ExitsTwoAndStartsNothing()
    {
        var path = _dir.Write("bad.toml", "[server]\nrole = \"hbu\"\n");

        await using var mesh = MeshProcess.Start(["run", "--config", path]);

        Assert.Equal(2, await mesh.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("unknown role 'hbu'", mesh.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("ready", mesh.StandardOutput, StringComparison.Ordinal);
    }
}
