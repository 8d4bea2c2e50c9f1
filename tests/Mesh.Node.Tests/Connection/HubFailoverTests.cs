using System.Net;
using System.Net.Sockets;
using Mesh.Core.Tests;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Tests.Support;
using Mesh.Node.Join;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Node.Tests.Connection;

/// <summary>
/// A node whose [hub] target lists several hubs: the real node agent against real in-process hubs (Kestrel, mTLS),
/// skipping a hub that is down, refusing one of another cluster by the CA pin, and failing over with its identity.
/// </summary>
public sealed class HubFailoverTests
{
    [Fact]
    public async Task NodeAgent_FirstTargetDown_EnrollsAndAttachesThroughTheSecond()
    {
        await using var hub = await TestHub.StartAsync();
        var down = new Uri($"https://127.0.0.1:{ClosedPort()}");
        var config = hub.NodeConfig("second", await hub.CreateTokenAsync(), targets: [down, hub.InternalUrl]);
        var logger = new ListLogger<NodeAgent>();
        using var stop = new CancellationTokenSource();
        var running = TestNodeAgents.Create(config, logger: logger).RunAsync(stop.Token);

        await WaitAsync(() => hub.Services.GetRequiredService<NodeRegistry>().Get("second") is { Status: NodeStatus.Online }, running);

        var unreachable = Assert.Single(logger.Messages("HubUnreachable"));
        Assert.StartsWith($"Hub {down} unreachable (", unreachable, StringComparison.Ordinal);
        Assert.EndsWith($"with {hub.InternalUrl}", unreachable, StringComparison.Ordinal);
        Assert.Equal([$"Connected to hub {hub.InternalUrl}"], logger.Messages("HubConnected"));
        await stop.CancelAsync();
        await running;
        hub.Directory.Dispose();
    }

    [Fact]
    public async Task NodeAgent_TargetOfAnotherCluster_RefusedByThePin_JoinsTheNextHub()
    {
        await using var hub = await TestHub.StartAsync();
        await using var other = await TestHub.StartAsync();
        var config = hub.NodeConfig("pinned", await hub.CreateTokenAsync(), targets: [other.InternalUrl, hub.InternalUrl]);
        var logger = new ListLogger<NodeAgent>();
        using var stop = new CancellationTokenSource();
        var running = TestNodeAgents.Create(config, logger: logger).RunAsync(stop.Token);

        await WaitAsync(() => hub.Services.GetRequiredService<NodeRegistry>().Get("pinned") is { Status: NodeStatus.Online }, running);

        var refused = Assert.Single(logger.Messages("HubRefused"));
        Assert.StartsWith($"refusing to enroll with {other.InternalUrl}: this hub's CA does not match the pin in your token (expected {hub.Identity.Authority.Pin}, got {other.Identity.Authority.Pin})", refused, StringComparison.Ordinal);
        Assert.Null(other.Services.GetRequiredService<NodeRegistry>().Get("pinned"));
        await stop.CancelAsync();
        await running;
        other.Directory.Dispose();
        hub.Directory.Dispose();
    }

    [Fact]
    public async Task NodeAgent_EnrolledNodeListingOnlyAnotherCluster_StopsSayingTheHubIsRefused()
    {
        await using var hub = await TestHub.StartAsync();
        await using var other = await TestHub.StartAsync();
        await Hub.Tests.Nodes.Join.JoinTestHelpers.EnrollNodeAsync(hub, "loyal");
        var config = hub.NodeConfig("loyal", token: null, targets: [other.InternalUrl]);

        var stopped = await Assert.ThrowsAsync<NodeStopException>(() => TestNodeAgents.Create(config).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.StartsWith($"refusing to talk to {other.InternalUrl}: the hub's certificate is not acceptable:", stopped.Message, StringComparison.Ordinal);
        Assert.Null(other.Services.GetRequiredService<NodeRegistry>().Get("loyal"));
        other.Directory.Dispose();
        hub.Directory.Dispose();
    }

    [Fact]
    public async Task NodeAgent_EveryTargetOfAnotherCluster_StopsNamingEachRefusal()
    {
        await using var hub = await TestHub.StartAsync();
        await using var other = await TestHub.StartAsync();
        await using var third = await TestHub.StartAsync();
        var config = hub.NodeConfig("lost", await hub.CreateTokenAsync(), targets: [other.InternalUrl, third.InternalUrl]);

        var stopped = await Assert.ThrowsAsync<NodeStopException>(() => TestNodeAgents.Create(config).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.StartsWith($"every hub in [hub] target was refused: refusing to enroll with {other.InternalUrl}: this hub's CA does not match the pin", stopped.Message, StringComparison.Ordinal);
        Assert.Contains($"; refusing to enroll with {third.InternalUrl}: this hub's CA does not match the pin", stopped.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(config.InternalGrpc.Security.CertDir, "node.key")));
        foreach (var h in new[] { hub, other, third })
            h.Directory.Dispose();
    }

    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Polls <paramref name="condition"/>; fails at once if the node agent stopped, or after 30 s.</summary>
    internal static async Task WaitAsync(Func<bool> condition, Task running, string what = "condition")
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (running.IsCompleted)
                await running; // surfaces why it stopped
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException(what + " not met within 30 s");
            await Task.Delay(100);
        }
    }
}
