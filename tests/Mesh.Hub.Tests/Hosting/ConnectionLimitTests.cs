using System.Net;
using System.Net.Sockets;
using Mesh.Core.Readiness;
using Mesh.Core.Tests;
using Mesh.Hub.Hosting;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Hosting;

/// <summary>The hub stops accepting connections before it runs out of file descriptors.</summary>
public sealed class ConnectionLimitTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(20_000L, 18_000L)]
    [InlineData(1_024L, 512L)]
    [InlineData(100L, 64L)]
    public void Limit_IsTheOpenFileLimitLessAReserve(long openFiles, long expected) =>
        Assert.Equal(expected, ConnectionLimit.From(openFiles));

    [Fact]
    public void UnknownOpenFileLimit_MeansNoLimit()
    {
        Assert.Null(ConnectionLimit.From(null));
        Assert.True(ConnectionLimit.ReadOpenFileLimit() > 0);
    }

    [Fact]
    public async Task PastTheLimit_NewConnectionsAreClosedAtOnce_AndTheHubServesAgainOnceTheyGo()
    {
        var config = _dir.Write("hub.toml", """
            [server]
            listen = "127.0.0.1:0"
            data_dir = "data"
            embedded_node = false
            [internal_grpc]
            listen = "127.0.0.1:0"
            """);
        await using var hub = MeshProcess.Start(["run", "--config", config], openFileLimit: 1024);
        var ready = HubReadyLine.Parse(await hub.WaitForLineAsync(HubReadyLine.Prefix, TimeSpan.FromSeconds(60)));
        var endpoint = new IPEndPoint(IPAddress.Loopback, ready.Web.Port);

        // 1,024 open files leave room for 512 connections; hold 700 idle ones (the web listener waits 30 s for a request).
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < 700; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(endpoint);
                sockets.Add(socket);
            }

            var closedByHub = 0;
            foreach (var socket in sockets.Skip(600))
            {
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    if (await socket.ReceiveAsync(new byte[1], SocketFlags.None, wait.Token) == 0)
                        closedByHub++;
                }
                catch (SocketException)
                {
                    closedByHub++; // reset
                }
                catch (OperationCanceledException)
                {
                }
            }

            Assert.True(closedByHub >= 95, $"only {closedByHub} of the last 100 connections past the limit were closed by the hub");
        }
        finally
        {
            foreach (var socket in sockets)
                socket.Dispose();
        }

        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        HttpResponseMessage? response = null;
        while (response is null && DateTime.UtcNow < deadline)
        {
            try
            {
                response = await http.GetAsync(ready.Web);
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200);
            }
        }

        Assert.Equal(HttpStatusCode.Redirect, response?.StatusCode);
        Assert.DoesNotContain("Out of memory", hub.StandardError, StringComparison.Ordinal);
    }
}
