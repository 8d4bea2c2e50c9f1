using System.Net;
using System.Net.Http.Json;
using Mesh.Hub.Tests.Support;
using Mesh.Pki;
using Grpc.Core;
using Grpc.Net.Client;
using static Mesh.Hub.Tests.Nodes.Join.JoinTestHelpers;

namespace Mesh.Hub.Tests.Nodes.Join;

/// <summary>The CA issues a node only its own names: never the hub's names or addresses, never a name nobody registered for it.</summary>
public sealed class NodeCertificateNamesTests : IAsyncLifetime
{
    private TestHub _hub = null!;

    public async Task InitializeAsync() => _hub = await TestHub.StartAsync(mode: "tls");

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _hub.Directory.Dispose();
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("somebody-else.example.com")]
    public async Task Enroll_CsrAskingForANameNotItsOwn_IsRefused(string name)
    {
        var token = await _hub.CreateTokenAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => EnrollRawAsync(_hub, token, "n-names", CsrWithNames("n-names", name)));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains($"'{name}'", ex.Status.Detail, StringComparison.Ordinal);
        Assert.StartsWith("certificate request refused:", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_CsrAskingForTheNamesAnOperatorRegistered_IsIssued()
    {
        var registered = await _hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes",
            new { id = "gpu-01", grpc_target = "https://gpu-01.example.com:50061", tls_server_name = "gpu-01.internal" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        var enrolled = await EnrollRawAsync(_hub, await _hub.CreateTokenAsync(nodeId: "gpu-01"), "gpu-01", CsrWithNames("gpu-01", "gpu-01.example.com", "gpu-01.internal"));

        var text = Openssl("x509", "-noout", "-ext", "subjectAltName", "-in", _hub.Directory.Write("gpu-01.crt", enrolled.Credentials.CertificatePem));
        Assert.Contains("DNS:gpu-01.example.com", text, StringComparison.Ordinal);
        Assert.Contains("DNS:gpu-01.internal", text, StringComparison.Ordinal);
    }

    private static string CsrWithNames(string nodeId, params string[] names)
    {
        var (pem, key) = CertificateSigningRequestInfo.Create(nodeId, names);
        key.Dispose();
        return pem;
    }
}
