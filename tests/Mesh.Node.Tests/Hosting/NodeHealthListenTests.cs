using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Mesh.Hub.Tests;
using Mesh.Hub.Tests.Support;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Mesh.Node.Tests.Hosting;

/// <summary>
/// [internal_grpc] health_listen on a node process: plaintext grpc.health.v1 only, SERVING while the node is connected
/// to the hub — what the DaemonSet's gRPC probes ask.
/// </summary>
public sealed class NodeHealthListenTests
{
    [Fact]
    public async Task NodeProcess_HealthListen_ServingWhenConnected_AndNothingElse()
    {
        await using var hub = await TestHub.StartAsync(mode: "mtls");
        hub.NodeConfig("probed", await hub.CreateTokenAsync(), extraToml: "[internal_grpc]\nhealth_listen = \"127.0.0.1:0\"\n[node]\nlocal_listen = \"\"");
        await using var node = MeshProcess.Start(["run", "--config", Path.Combine(hub.Directory.Path, "node-probed.toml")]);

        var line = await node.WaitForLineAsync("mesh node health: ", TimeSpan.FromSeconds(60));
        await node.WaitForLineAsync("mesh node ready: ", TimeSpan.FromSeconds(60));
        using var channel = GrpcChannel.ForAddress(line["mesh node health: ".Length..].Split(' ')[0]);
        var health = new Health.HealthClient(channel);
        var status = await health.CheckAsync(new HealthCheckRequest(), GrpcTestClients.WithTimeout(TimeSpan.FromSeconds(10)));
        var mailbox = await Assert.ThrowsAsync<RpcException>(() => channel.Mailbox().InboxAsync(new Core.Protocol.InboxRequest(), GrpcTestClients.WithTimeout(TimeSpan.FromSeconds(10))).ResponseAsync);

        Assert.Equal(ServingStatus.Serving, status.Status);
        Assert.Equal(StatusCode.Unimplemented, mailbox.StatusCode);
        hub.Directory.Dispose();
    }
}
