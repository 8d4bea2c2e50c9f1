using Grpc.Core;
using Grpc.Health.V1;
using Mesh.Core.Tests;
using Mesh.Hub.Hosting;
using Mesh.Hub.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Mesh.Hub.Tests.Health;

/// <summary>grpc.health.v1 on the hub's internal listener means something: ready only with the store open, not during shutdown.</summary>
public sealed class HubHealthTests
{
    [Fact]
    public async Task Check_RunningHub_Serving()
    {
        await using var hub = await TestHub.StartAsync(mode: "mtls");
        using var channel = hub.Channel();

        var reply = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), GrpcTestClients.WithTimeout(TimeSpan.FromSeconds(10)));

        Assert.Equal(ServingStatus.Serving, reply.Status);
        hub.Directory.Dispose();
    }

    [Fact]
    public async Task Readiness_BeforeTheStoreIsOpen_Unhealthy_ThenHealthy()
    {
        using var dir = new TempDirectory();
        var config = Core.Configuration.ConfigLoader.Load(dir.Write("hub.toml", """
            [server]
            listen = "127.0.0.1:0"
            data_dir = "data"
            embedded_node = false
            [internal_grpc]
            listen = "127.0.0.1:0"
            [internal_grpc.security]
            mode = "tls"
            cert_dir = "certs"
            """), new Dictionary<string, string?>());
        await using var app = HubHost.Build(config, jsonLogs: false, TimeProvider.System, new HubListeners());
        var health = app.Services.GetRequiredService<HealthCheckService>();

        var before = await health.CheckHealthAsync();
        await HubHost.InitializeAsync(app, CancellationToken.None);
        await app.StartAsync();
        var after = await health.CheckHealthAsync();
        await app.StopAsync();

        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Equal("the store is not open yet", before.Entries["hub"].Description);
        Assert.Equal(HealthStatus.Healthy, after.Status);
    }

    [Fact]
    public async Task Watch_HubShutsDown_WatcherSeesNotServing()
    {
        await using var hub = await TestHub.StartAsync(mode: "tls");
        using var channel = hub.Channel();
        using var watch = new Grpc.Health.V1.Health.HealthClient(channel).Watch(new HealthCheckRequest());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Assert.True(await watch.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal(ServingStatus.Serving, watch.ResponseStream.Current.Status);

        var stopping = hub.StopAsync();
        var seen = new List<ServingStatus>();
        try
        {
            while (await watch.ResponseStream.MoveNext(timeout.Token))
                seen.Add(watch.ResponseStream.Current.Status);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.Cancelled or StatusCode.Internal)
        {
            // the connection closed after the last status
        }

        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([ServingStatus.NotServing], seen);
        hub.Directory.Dispose();
    }
}
