using System.Text.Json;
using Grpc.Core;
using Mesh.Core.Readiness;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.InternalApi;

/// <summary>
/// What an anonymous client can put into the hub's log: a request it cannot parse is refused without an Error entry
/// or a stack trace each time, so nobody can flood the log with them.
/// </summary>
public sealed class GrpcLogFloodTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task UnparsableRequests_WithoutAToken_LeaveNoErrorInTheLog()
    {
        var config = _dir.Write("hub.toml", """
            [server]
            listen = "127.0.0.1:0"
            data_dir = "data"
            embedded_node = false
            [internal_grpc]
            listen = "127.0.0.1:0"
            """);
        await using var hub = MeshProcess.Start(["run", "--config", config, "--log-format", "json"]);
        var ready = HubReadyLine.Parse(await hub.WaitForLineAsync(HubReadyLine.Prefix, TimeSpan.FromSeconds(60)));
        var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_dir.Path, "data", "certs", "ca.crt")));
        using var raw = new RawGrpcClient(ready.InternalGrpc!, ca);

        for (var i = 0; i < 20; i++)
        {
            var response = await raw.SendAsync("/mesh.v1.Mailbox/Send", new ByteArrayContent(RawGrpcClient.Frame(0, 3, [0x0A, 0xFF, 0xFF])));
            Assert.NotEqual(StatusCode.OK, response.GrpcStatus);
        }

        await Task.Delay(500);
        var entries = hub.JsonLogEntries();
        Assert.DoesNotContain(entries, e => e.GetProperty("LogLevel").GetString() is "Error" or "Critical");
        Assert.DoesNotContain("   at ", hub.StandardOutput + hub.StandardError, StringComparison.Ordinal);
    }
}
