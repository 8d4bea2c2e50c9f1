using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;
using static Mesh.Hub.Tests.Nodes.Join.JoinTestHelpers;
using Mesh.Core.Readiness;

namespace Mesh.Hub.Tests.Nodes.Join;

/// <summary>The end-to-end: real hub and node processes, a token over REST, mTLS, removal.</summary>
public sealed class JoinEndToEndTests : IDisposable
{
    private const string ApiToken = "E2e-api-token-0123456789-ABCDEFGHIJ-xyz";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task HubAndNodeProcesses_JoinWithRestToken_ThenRemovalStopsTheNode()
    {
        var hubConfig = _dir.Write("hub.toml", $"""
            [server]
            listen = "127.0.0.1:0"
            data_dir = "hub-data"
            [internal_grpc]
            listen = "127.0.0.1:0"
            [internal_grpc.security]
            mode = "mtls"
            cert_dir = "hub-certs"
            [admin]
            api_token = "{ApiToken}"
            """);
        await using var hub = MeshProcess.Start(["run", "--config", hubConfig]);
        var ready = await hub.WaitForLineAsync("mesh hub ready:", TimeSpan.FromSeconds(60));
        var (web, grpcUri) = HubReadyLine.Parse(ready);
        var grpc = grpcUri!.GetLeftPart(UriPartial.Authority);

        using var admin = new HttpClient { BaseAddress = web };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        var created = await admin.PostAsJsonAsync("/api/admin/join-tokens", new { ttl = "10m" });
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var token = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();

        // The node's configuration holds only what the issue allows: the hub target and the token.
        var nodeConfig = _dir.Write("node.toml", $"""
            [server]
            role = "node"
            node_id = "gpu-01"
            data_dir = "node-data"
            [internal_grpc.security]
            mode = "mtls"
            cert_dir = "node-certs"
            [internal_grpc.bootstrap]
            token = "{token}"
            [hub]
            target = "{grpc}"
            """);
        await using var node = MeshProcess.Start(["run", "--config", nodeConfig]);
        var nodeReady = await node.WaitForLineAsync("mesh node ready:", TimeSpan.FromSeconds(60));
        Assert.Contains("node gpu-01 in cluster", nodeReady, StringComparison.Ordinal);
        Assert.Contains("(mtls)", nodeReady, StringComparison.Ordinal);

        var certs = Path.Combine(_dir.Path, "node-certs");
        foreach (var key in new[] { "node.key", "node_signing.key" })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(certs, key)));
        Assert.Contains(": OK", Openssl("verify", "-CAfile", Path.Combine(certs, "ca.crt"), Path.Combine(certs, "node.crt")), StringComparison.Ordinal);
        var token2 = await admin.GetStringAsync("/api/admin/join-tokens");
        Assert.Contains("\"status\":\"used\"", token2, StringComparison.Ordinal);
        Assert.DoesNotContain(token!.Split('.')[2], token2, StringComparison.Ordinal);

        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/admin/agent-nodes/gpu-01")).StatusCode);

        // The node's next check-in is refused and it stops, saying why.
        Assert.Equal(1, await node.WaitForExitAsync(TimeSpan.FromSeconds(40)));
        Assert.Contains("certificate revoked: node was removed from the hub at", node.StandardError, StringComparison.Ordinal);

        // A new TLS handshake with the node's certificate is refused too, and the hub says why.
        var identity = new Node.Identity.NodeIdentityFiles(certs).Load();
        using (identity)
        using (var channel = GrpcTestClients.Channel(new Uri(grpc), identity.Ca, identity.Certificate))
        {
            var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
                channel.Join().WhoamiAsync(new Core.Protocol.WhoamiRequest(), GrpcTestClients.WithTimeout(TimeSpan.FromSeconds(10))).ResponseAsync);
            // TLS 1.3 checks the client's certificate after the client has finished its side of the handshake, so the
            // refusal reaches the client either before its request (Unavailable) or while it reads the answer (Internal).
            Assert.Contains(refused.StatusCode, new[] { Grpc.Core.StatusCode.Unavailable, Grpc.Core.StatusCode.Internal });
        }

        await hub.WaitForTextAsync("certificate revoked (serial", TimeSpan.FromSeconds(10));
    }
}
