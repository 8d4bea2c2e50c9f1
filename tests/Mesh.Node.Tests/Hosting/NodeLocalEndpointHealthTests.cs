using Mesh.Hub.Tests;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Mesh.Hub.Tests.Support;
using Mesh.Node.Connection;
using Mesh.Node.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Mesh.Hub.Tests.Nodes.Join.JoinTestHelpers;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Mesh.Node.Tests.Hosting;

/// <summary>grpc.health.v1 on the node's local endpoint reports the node's readiness: a live connection to the hub.</summary>
public sealed class NodeLocalEndpointHealthTests
{
    [Fact]
    public async Task Health_NotServingUntilConnected_ServingWhileConnected_NotServingWhenItStops()
    {
        await using var hub = await TestHub.StartAsync(mode: "mtls");
        var (config, files) = await EnrollNodeAsync(hub, "local-1");
        var nodeConfig = hub.NodeConfig("local-1", token: null, extraToml: "[node]\nlocal_listen = \"127.0.0.1:0\"");
        // The node's host with its loops held back by a hub target nobody answers; the test sets the connection itself.
        var unreachable = nodeConfig with { Hub = new Core.Configuration.HubTargetConfig(new Uri("https://127.0.0.1:1")) };
        var endpoint = NodeHost.Build(unreachable, logging => logging.ClearProviders(), TextWriter.Null, NodeHostOptions.Embedded);
        await endpoint.StartAsync(CancellationToken.None);
        var current = endpoint.Services.GetRequiredService<CurrentHubConnection>();
        using var channel = GrpcChannel.ForAddress(endpoint.LocalUrl!);
        var health = new Grpc.Health.V1.Health.HealthClient(channel);

        var before = await health.CheckAsync(new HealthCheckRequest(), GrpcTestClients.WithTimeout(TimeSpan.FromSeconds(10)));
        using var identity = files.Load();
        using var connection = HubConnection.ForIdentity(hub.InternalUrl, identity, "local-1", config, TimeProvider.System);
        current.Set(connection);
        var connected = await health.CheckAsync(new HealthCheckRequest(), GrpcTestClients.WithTimeout(TimeSpan.FromSeconds(10)));
        using var watch = health.Watch(new HealthCheckRequest());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Assert.True(await watch.ResponseStream.MoveNext(timeout.Token));
        var watched = watch.ResponseStream.Current.Status;
        var stopping = endpoint.DisposeAsync().AsTask();
        var afterStop = new List<ServingStatus>();
        try
        {
            while (await watch.ResponseStream.MoveNext(timeout.Token))
                afterStop.Add(watch.ResponseStream.Current.Status);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.Cancelled or StatusCode.Internal)
        {
        }

        await stopping.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(ServingStatus.NotServing, before.Status);
        Assert.Equal(ServingStatus.Serving, connected.Status);
        Assert.Equal(ServingStatus.Serving, watched);
        Assert.Equal([ServingStatus.NotServing], afterStop);
        hub.Directory.Dispose();
    }
}
