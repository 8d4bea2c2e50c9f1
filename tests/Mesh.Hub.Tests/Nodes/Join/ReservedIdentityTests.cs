using System.Net;
using System.Net.Http.Json;
using Mesh.Hub.Tests.Support;
using Grpc.Core;
using Grpc.Net.Client;
using static Mesh.Hub.Tests.Nodes.Join.JoinTestHelpers;

namespace Mesh.Hub.Tests.Nodes.Join;

/// <summary>
/// Ids the hub uses for itself (hub, root, main) cannot be taken by a node, and an id an operator pre-registered
/// can be claimed only with a token bound to it.
/// </summary>
public sealed class ReservedIdentityTests : IAsyncLifetime
{
    private TestHub _hub = null!;

    public async Task InitializeAsync() => _hub = await TestHub.StartAsync(mode: "tls");

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _hub.Directory.Dispose();
    }

    [Theory]
    [InlineData("hub")]
    [InlineData("root")]
    [InlineData("main")]
    [InlineData("HUB")]
    public async Task Enroll_ReservedNodeId_IsRefused(string nodeId)
    {
        var token = await _hub.CreateTokenAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => EnrollRawAsync(_hub, token, nodeId, Csr(nodeId)));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains($"node id '{nodeId}' is reserved", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hub")]
    [InlineData("root")]
    [InlineData("main")]
    public async Task RegisterNodeOrBindToken_ReservedId_400(string nodeId)
    {
        var register = await _hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes", new { id = nodeId });
        var token = await _hub.Admin.PostAsJsonAsync("/api/admin/join-tokens", new { node_id = nodeId });

        Assert.Equal(HttpStatusCode.BadRequest, register.StatusCode);
        Assert.Contains("is reserved", await register.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, token.StatusCode);
        Assert.Contains("is reserved", await token.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_PreRegisteredIdWithUnboundToken_IsRefused_BoundTokenClaimsIt()
    {
        var registered = await _hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes", new { id = "pre-1", name = "Registered by the operator" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await EnrollRawAsync(_hub, await _hub.CreateTokenAsync(), "pre-1", Csr("pre-1")));
        Assert.Equal(StatusCode.AlreadyExists, ex.StatusCode);
        Assert.Contains("create a join token bound to 'pre-1'", ex.Status.Detail, StringComparison.Ordinal);

        var enrolled = await EnrollRawAsync(_hub, await _hub.CreateTokenAsync(nodeId: "pre-1"), "pre-1", Csr("pre-1"));
        Assert.False(string.IsNullOrEmpty(enrolled.Credentials.CertificatePem));
    }
}
