using System.Globalization;
using Mesh.Hub.Tests.Support;
using Mesh.Node.Connection;
using static Mesh.Hub.Tests.Nodes.Join.JoinTestHelpers;

namespace Mesh.Node.Tests.Connection;

/// <summary>A node makes a new hub connection per enrollment, reconnect and renewal; a disposed one must not stay open.</summary>
public sealed class HubConnectionLifetimeTests : IAsyncLifetime
{
    private TestHub _hub = null!;

    public async Task InitializeAsync() => _hub = await TestHub.StartAsync();

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task DisposedConnections_CloseTheirTcpConnections()
    {
        var (config, files) = await EnrollNodeAsync(_hub, "n1");
        using var identity = files.Load();
        var port = _hub.InternalUrl.Port;
        var before = await WaitForEstablishedAsync(port, n => true);

        var connections = Enumerable.Range(0, 5).Select(_ => HubConnection.ForIdentity(config.Hub.Target!, identity, "n1", config, TimeProvider.System)).ToList();
        foreach (var connection in connections)
            await WhoamiAsync(connection);
        var open = await WaitForEstablishedAsync(port, n => n >= before + 5);
        foreach (var connection in connections)
            connection.Dispose();
        var after = await WaitForEstablishedAsync(port, n => n <= before);

        Assert.True(open >= before + 5, $"expected 5 more connections than {before}, saw {open}");
        Assert.True(after <= before, $"{after - before} connection(s) to the hub stayed open after Dispose");
    }

    /// <summary>Client-side ESTABLISHED TCP connections (IPv4 or IPv6) to <paramref name="port"/> (this process holds both ends).</summary>
    private static int EstablishedTo(int port)
    {
        var remote = port.ToString("X4", CultureInfo.InvariantCulture);
        return new[] { "/proc/net/tcp", "/proc/net/tcp6" }.SelectMany(table => File.ReadLines(table).Skip(1))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(f => f[2].EndsWith(":" + remote, StringComparison.Ordinal) && f[3] == "01");
    }

    private static async Task<int> WaitForEstablishedAsync(int port, Func<int, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        var count = EstablishedTo(port);
        while (!done(count) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            count = EstablishedTo(port);
        }

        return count;
    }
}
