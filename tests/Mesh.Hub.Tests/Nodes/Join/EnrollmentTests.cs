using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Hub.Tests.Support;
using Mesh.Node.Connection;
using Mesh.Node.Join;
using Mesh.Pki;
using Grpc.Core;
using Grpc.Net.Client;
using static Mesh.Hub.Tests.Nodes.Join.JoinTestHelpers;

namespace Mesh.Hub.Tests.Nodes.Join;

public sealed class EnrollmentTests : IAsyncLifetime
{
    private TestHub _hub = null!;

    public async Task InitializeAsync() => _hub = await TestHub.StartAsync();

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _hub.Directory.Dispose();
    }

    [Fact]
    public async Task Enroll_ValidToken_NodeGetsCertificateAndCallsOverMtls()
    {
        var (config, files) = await EnrollNodeAsync(_hub, "gpu-01", await _hub.CreateTokenAsync(nodeId: "gpu-01"));

        using var identity = files.Load();
        using var connection = HubConnection.ForIdentity(config.Hub.Target!, identity, "gpu-01", config, TimeProvider.System);
        var whoami = await WhoamiAsync(connection);

        Assert.Equal(("gpu-01", _hub.Identity.ClusterId), (whoami.NodeId, whoami.ClusterId));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files.KeyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(files.CertDir, "node_signing.key")));
        Assert.Contains($"{files.CertificatePath}: OK", Openssl("verify", "-CAfile", files.CaPath, files.CertificatePath), StringComparison.Ordinal);
        Assert.Contains($"URI:mesh://{_hub.Identity.ClusterId}/node/gpu-01", Openssl("x509", "-in", files.CertificatePath, "-noout", "-text"), StringComparison.Ordinal);

        var audit = await _hub.Admin.GetStringAsync("/api/admin/audit");
        Assert.Contains("node.enrolled", audit, StringComparison.Ordinal);
        Assert.Contains("join_token.used", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_UsedToken_IsRefused()
    {
        var token = await _hub.CreateTokenAsync();
        await EnrollNodeAsync(_hub, "node-a", token);

        var ex = await Assert.ThrowsAsync<RpcException>(() => EnrollRawAsync(_hub, token, "node-b", Csr("node-b")));

        Assert.Equal((StatusCode.PermissionDenied, "join token already used"), (ex.StatusCode, ex.Status.Detail));
    }

    [Fact]
    public async Task Enroll_TokenBoundToAnotherNode_IsRefused()
    {
        var token = await _hub.CreateTokenAsync(nodeId: "gpu-01");

        var ex = await Assert.ThrowsAsync<RpcException>(() => EnrollRawAsync(_hub, token, "gpu-02", Csr("gpu-02")));

        Assert.Equal("join token is bound to node 'gpu-01', not 'gpu-02'", ex.Status.Detail);
    }

    [Fact]
    public async Task Enroll_ForgedSecret_IsRefused()
    {
        var token = await _hub.CreateTokenAsync();
        var parts = token.Split('.');
        var forged = $"{parts[0]}.{parts[1]}.{Core.Join.JoinToken.NewSecret()}.{parts[3]}";

        var ex = await Assert.ThrowsAsync<RpcException>(() => EnrollRawAsync(_hub, forged, "node-a", Csr("node-a")));

        Assert.Equal((StatusCode.PermissionDenied, "join token is not valid (unknown id or wrong secret)"), (ex.StatusCode, ex.Status.Detail));
        Assert.Equal("join token already used", (await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await EnrollRawAsync(_hub, token, "node-a", Csr("node-a"));
            await EnrollRawAsync(_hub, token, "node-b", Csr("node-b"));
        })).Status.Detail);
    }

    [Theory]
    [InlineData("", "join token is empty")]
    [InlineData("mesh1.abc", "got 2 part(s)")]
    [InlineData("mesh2.0123456789ab.secretsecretsecretsecretsecretsecret.0000000000000000000000000000000000000000000000000000000000000000", "version 'mesh2' is not supported")]
    [InlineData("mesh1.XYZ.secretsecretsecretsecretsecretsecret.0000000000000000000000000000000000000000000000000000000000000000", "token id is malformed")]
    [InlineData("mesh1.0123456789ab.short.0000000000000000000000000000000000000000000000000000000000000000", "secret is malformed")]
    [InlineData("mesh1.0123456789ab.secretsecretsecretsecretsecretsecret.zz", "CA pin is malformed")]
    public async Task Enroll_MalformedToken_IsInvalidArgument(string token, string expected)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => EnrollRawAsync(_hub, token, "node-a", Csr("node-a")));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains(expected, ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_TokenForAnotherHubCa_IsRefused()
    {
        var token = await _hub.CreateTokenAsync();
        var parts = token.Split('.');
        var otherPin = new string('a', 64);

        var ex = await Assert.ThrowsAsync<RpcException>(() => EnrollRawAsync(_hub, $"{parts[0]}.{parts[1]}.{parts[2]}.{otherPin}", "node-a", Csr("node-a")));

        Assert.Contains("different hub CA", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_CsrWithBrokenSignature_IsRefused()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await EnrollRawAsync(_hub, await _hub.CreateTokenAsync(), "node-a", TamperedCsr("node-a")));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("certificate request refused:", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_Rsa1024Csr_IsRefused()
    {
        using var rsa = RSA.Create(1024);
        var csr = new CertificateRequest("CN=node-a", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequestPem();

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await EnrollRawAsync(_hub, await _hub.CreateTokenAsync(), "node-a", csr));

        Assert.Contains("1024", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_CaTrueCsr_IsRefused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=node-a", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await EnrollRawAsync(_hub, await _hub.CreateTokenAsync(), "node-a", request.CreateSigningRequestPem()));

        Assert.Contains("CA", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_CsrForAnotherNodeIdentity_IsRefused()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await EnrollRawAsync(_hub, await _hub.CreateTokenAsync(), "node-a", Csr("victim-node")));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("victim-node", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_IdOfAnEnrolledNode_IsRefusedWithoutBoundToken()
    {
        await EnrollNodeAsync(_hub, "node-a");

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await EnrollRawAsync(_hub, await _hub.CreateTokenAsync(), "node-a", Csr("node-a")));

        Assert.Equal(StatusCode.AlreadyExists, ex.StatusCode);
    }

    [Fact]
    public async Task Enroll_SingleUseTokenFrom20Tasks_ExactlyOneSucceeds()
    {
        var token = await _hub.CreateTokenAsync();
        var attempts = Enumerable.Range(0, 20).Select(async i =>
        {
            try
            {
                await EnrollRawAsync(_hub, token, $"racer-{i}", Csr($"racer-{i}"));
                return "ok";
            }
            catch (RpcException ex)
            {
                return ex.Status.Detail;
            }
        });

        var results = await Task.WhenAll(attempts);

        Assert.Single(results, r => r == "ok");
        Assert.All(results.Where(r => r != "ok"), r => Assert.Equal("join token already used", r));
    }

    [Fact]
    public async Task Enroll_ManInTheMiddleHubWithAnotherCa_NodeRefuses()
    {
        await using var impostor = await TestHub.StartAsync();
        var token = await _hub.CreateTokenAsync();
        var config = impostor.NodeConfig("node-a", token);

        var ex = await Assert.ThrowsAsync<NodeStopException>(() =>
            new NodeEnroller(config, new Node.Identity.NodeIdentityFiles(config.InternalGrpc.Security.CertDir), TimeProvider.System).EnrollAsync(CancellationToken.None));

        Assert.Contains($"this hub's CA does not match the pin in your token (expected {_hub.Identity.Authority.Pin}, got {impostor.Identity.Authority.Pin})", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(config.InternalGrpc.Security.CertDir, "node.key")));
        impostor.Directory.Dispose();
    }

    [Fact]
    public async Task Call_ClientCertificateFromAnotherCa_HandshakeIsRejected()
    {
        using var foreignCa = CertificateAuthority.Create("other-cluster");
        using var foreignCert = foreignCa.IssueClientCertificate("node-a");
        using var channel = GrpcTestClients.Channel(_hub.InternalUrl, _hub.Identity.Authority.Certificate, foreignCert);

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.Join().WhoamiAsync(new Core.Protocol.WhoamiRequest(), GrpcTestClients.WithTimeout(TimeSpan.FromSeconds(10))).ResponseAsync);

        Assert.True(ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal, ex.Status.ToString());
        Assert.IsType<HttpRequestException>(ex.Status.DebugException);
    }

    [Fact]
    public async Task Call_WithoutToken_IsUnauthenticated()
    {
        var (config, files) = await EnrollNodeAsync(_hub, "node-a");
        using var identity = files.Load();
        using var channel = GrpcTestClients.Channel(_hub.InternalUrl, identity.Ca, identity.Certificate);

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.Join().WhoamiAsync(new Core.Protocol.WhoamiRequest(), GrpcTestClients.WithTimeout(TimeSpan.FromSeconds(10))).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        _ = config;
    }

    [Fact]
    public async Task RemoveNode_RevokesAtOnce_NextCallAndHandshakeAreRejected()
    {
        var (config, files) = await EnrollNodeAsync(_hub, "node-a");
        using var identity = files.Load();
        using var connection = HubConnection.ForIdentity(config.Hub.Target!, identity, "node-a", config, TimeProvider.System);
        await WhoamiAsync(connection);

        var delete = await _hub.Admin.DeleteAsync("/api/admin/agent-nodes/node-a");
        Assert.Equal(System.Net.HttpStatusCode.NoContent, delete.StatusCode);

        var onLiveConnection = await Assert.ThrowsAsync<RpcException>(() => WhoamiAsync(connection));
        Assert.Equal(StatusCode.Unauthenticated, onLiveConnection.StatusCode);
        Assert.StartsWith("certificate revoked: node was removed from the hub at ", onLiveConnection.Status.Detail, StringComparison.Ordinal);

        using var fresh = HubConnection.ForIdentity(config.Hub.Target!, identity, "node-a", config, TimeProvider.System);
        var handshake = await Assert.ThrowsAsync<RpcException>(() => WhoamiAsync(fresh));
        // Refused in the TLS handshake: no gRPC answer, the HTTP error underneath (Grpc.Net.Client says UNAVAILABLE or,
        // when the refusal arrives while the handshake is still being read, INTERNAL).
        Assert.True(handshake.StatusCode is StatusCode.Unavailable or StatusCode.Internal, handshake.Status.ToString());
        Assert.IsType<HttpRequestException>(handshake.Status.DebugException);

        Assert.Equal(System.Net.HttpStatusCode.Conflict, (await _hub.Admin.DeleteAsync("/api/admin/agent-nodes/node-a")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await _hub.Admin.DeleteAsync("/api/admin/agent-nodes/nobody")).StatusCode);
    }

    [Fact]
    public async Task Enroll_RepeatedFailuresFromOneAddress_AreRateLimited_ButAValidTokenStillJoins()
    {
        for (var i = 0; i < 10; i++)
            await Assert.ThrowsAsync<RpcException>(() => EnrollRawAsync(_hub, "mesh1.bad", "node-a", Csr("node-a")));

        var ex = await Assert.ThrowsAsync<RpcException>(() => EnrollRawAsync(_hub, "mesh1.bad", "node-a", Csr("node-a")));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.StartsWith("too many failed join attempts from this address; retry in", ex.Status.Detail, StringComparison.Ordinal);
        // Another machine behind the same address (NAT) with a real token is not held back by the guesser.
        var joined = await EnrollRawAsync(_hub, await _hub.CreateTokenAsync(), "node-b", Csr("node-b"));
        Assert.False(string.IsNullOrEmpty(joined.Credentials.CertificatePem));
    }

    private static string TamperedCsr(string nodeId)
    {
        var der = Convert.FromBase64String(string.Concat(Csr(nodeId).Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));
        der[^3] ^= 0x5A; // inside the signature
        return "-----BEGIN CERTIFICATE REQUEST-----\n" + Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks) + "\n-----END CERTIFICATE REQUEST-----\n";
    }
}
