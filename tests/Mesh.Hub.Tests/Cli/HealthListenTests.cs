using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Health.V1;

namespace Mesh.Hub.Tests.Cli;

/// <summary>[internal_grpc] health_listen: plaintext grpc.health.v1 for probes that cannot present client certificates.</summary>
public sealed class HealthListenTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task HealthListen_ServesHealthInPlaintext_AndNothingElse()
    {
        var config = _dir.Write("hub.toml", """
            [server]
            listen = "127.0.0.1:0"
            data_dir = "data"
            embedded_node = false
            [internal_grpc]
            listen = "127.0.0.1:0"
            health_listen = "127.0.0.1:0"
            [internal_grpc.security]
            mode = "mtls"
            cert_dir = "certs"
            """);
        await using var hub = MeshProcess.Start(["run", "--config", config]);
        var line = await hub.WaitForLineAsync("mesh hub health: ", TimeSpan.FromSeconds(30));
        var health = new Uri(line["mesh hub health: ".Length..].Split(' ')[0]);

        using var channel = GrpcChannel.ForAddress(health);
        var reply = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), GrpcTestClients.WithTimeout(TimeSpan.FromSeconds(10)));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);

        var other = await Assert.ThrowsAsync<RpcException>(() =>
            channel.Join().DiscoverAsync(new Core.Protocol.DiscoverRequest(), GrpcTestClients.WithTimeout(TimeSpan.FromSeconds(10))).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, other.StatusCode);

        hub.Terminate();
        Assert.Equal(0, await hub.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }
}
