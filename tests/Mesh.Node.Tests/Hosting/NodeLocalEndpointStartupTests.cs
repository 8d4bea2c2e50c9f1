using System.Net;
using System.Net.Sockets;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;

namespace Mesh.Node.Tests.Hosting;

/// <summary>How a node process starts its local endpoint: refused config, a taken address (chosen or default).</summary>
public sealed class NodeLocalEndpointStartupTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task NodeRun_NonLoopbackLocalListen_ExitsTwoWithFileLineAndColumn()
    {
        var config = WriteNodeConfig("local_listen = \"0.0.0.0:50055\"");

        var (code, stdout, stderr) = await MeshProcess.RunAsync("run", "--config", config);

        Assert.Equal(2, code);
        Assert.DoesNotContain("mesh node", stdout, StringComparison.Ordinal);
        Assert.Contains("node.toml(11,16): error: node.local_listen: '0.0.0.0:50055' is not a loopback address", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeRun_ChosenLocalListenTaken_ExitsOneBeforeEnrolling()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var config = WriteNodeConfig($"local_listen = \"127.0.0.1:{port}\"");

        var (code, _, stderr) = await MeshProcess.RunAsync("run", "--config", config);

        Assert.Equal(1, code);
        Assert.Contains($"cannot listen on 127.0.0.1:{port} ([node] local_listen)", stderr, StringComparison.Ordinal);
        Assert.Contains("already in use", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "certs", "node.key")), "the node must not enroll when it cannot serve");
    }

    [Fact]
    public async Task NodeRun_DefaultLocalListenTaken_RunsWithoutTheEndpointAndSaysSo()
    {
        TcpListener? holder = new(IPAddress.Loopback, 50055);
        try
        {
            holder.Start();
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            holder = null; // another node on this machine holds the default already: the same condition
        }

        try
        {
            await using var node = MeshProcess.Start(["run", "--config", WriteNodeConfig("")]);
            var line = await node.WaitForLineAsync("mesh node local endpoint:", TimeSpan.FromSeconds(60));
            Assert.Equal("mesh node local endpoint: off (127.0.0.1:50055 is in use; set [node] local_listen)", line);
        }
        finally
        {
            holder?.Dispose();
        }
    }

    private string WriteNodeConfig(string localListen) => _dir.Write("node.toml", $"""
        [server]
        role = "node"
        node_id = "n1"
        data_dir = "data"
        [internal_grpc.security]
        cert_dir = "certs"
        [hub]
        target = "https://127.0.0.1:1"
        [node]
        capabilities = []
        {localListen}
        """);
}
