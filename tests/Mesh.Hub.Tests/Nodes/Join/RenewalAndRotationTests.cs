using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Join;
using Mesh.Hub.Tests.Support;
using Mesh.Node.Connection;
using Mesh.Node.Join;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using static Mesh.Hub.Tests.Nodes.Join.JoinTestHelpers;

namespace Mesh.Hub.Tests.Nodes.Join;

public sealed class RenewalAndRotationTests
{
    private const string SecretA = "rotation-secret-A-q7Vx2LmN9pR4sT1uW8yZ3aB6";
    private const string SecretB = "rotation-secret-B-Zk3Lp9Qw2Er7Ty5Ui8Op1As4";

    [Fact]
    public async Task Node_With20SecondCertificates_RenewsBeforeExpiryOverItsIdentity()
    {
        await using var hub = await TestHub.StartAsync(securityToml: "node_certificate_lifetime = \"20s\"");
        var config = hub.NodeConfig("renewer", await hub.CreateTokenAsync());
        var files = new Node.Identity.NodeIdentityFiles(config.InternalGrpc.Security.CertDir);
        using var stop = new CancellationTokenSource();
        var agent = TestNodeAgents.Create(config);
        var running = agent.RunAsync(stop.Token);

        var first = await WaitForSerialAsync(files, previous: null, TimeSpan.FromSeconds(20));
        using (var cert = X509Certificate2.CreateFromPem(File.ReadAllText(files.CertificatePath)))
            Assert.InRange((cert.NotAfter - DateTime.Now).TotalSeconds, 5, 21);
        var second = await WaitForSerialAsync(files, previous: first, TimeSpan.FromSeconds(25));

        stop.Cancel();
        await running;
        Assert.NotEqual(first, second);
        Assert.Contains("node.renewed", await hub.Admin.GetStringAsync("/api/admin/audit"), StringComparison.Ordinal);
        hub.Directory.Dispose();
    }

    [Fact]
    public async Task SecretRotation_NodeHoldingOldKey_KeepsWorkingUntilOldSecretIsRemoved()
    {
        var dir = new Core.Tests.TempDirectory();
        var (config, files) = await EnrollWithSecretAsync(dir, $"shared_secret = \"{SecretA}\"");

        // Rotate: the new secret is current, the old one moves to previous_secrets; the hub restarts.
        await using (var rotated = await TestHub.StartAsync(extraToml: $"[internal_grpc.auth]\nshared_secret = \"{SecretB}\"\nprevious_secrets = [\"{SecretA}\"]", reuse: dir))
        {
            using var identity = files.Load();
            using var connection = HubConnection.ForIdentity(rotated.InternalUrl, identity, "rotator", config, TimeProvider.System);
            Assert.Equal("rotator", (await WhoamiAsync(connection)).NodeId);

            // Renewal hands the node a key from the new secret.
            await new NodeEnroller(config, files, TimeProvider.System).RenewAsync(connection, CancellationToken.None);
        }

        await using (var final = await TestHub.StartAsync(extraToml: $"[internal_grpc.auth]\nshared_secret = \"{SecretB}\"", reuse: dir))
        {
            using var renewed = files.Load();
            using var connection = HubConnection.ForIdentity(final.InternalUrl, renewed, "rotator", config, TimeProvider.System);
            Assert.Equal("rotator", (await WhoamiAsync(connection)).NodeId);
        }

        dir.Dispose();
    }

    [Fact]
    public async Task SecretRotation_OldSecretRemovedBeforeNodeUpdated_CallsAreRefused()
    {
        var dir = new Core.Tests.TempDirectory();
        var (config, files) = await EnrollWithSecretAsync(dir, $"shared_secret = \"{SecretA}\"");

        await using var hub = await TestHub.StartAsync(extraToml: $"[internal_grpc.auth]\nshared_secret = \"{SecretB}\"", reuse: dir);
        using var identity = files.Load();
        using var connection = HubConnection.ForIdentity(hub.InternalUrl, identity, "rotator", config, TimeProvider.System);

        var ex = await Assert.ThrowsAsync<RpcException>(() => WhoamiAsync(connection));
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        dir.Dispose();
    }

    [Fact]
    public async Task ClusterToken_EnrollsManyNodes_AndAWrongSecretIsRefused()
    {
        var secret = JoinToken.NewSecret();
        await using var hub = await TestHub.StartAsync(extraToml: $"[internal_grpc.bootstrap]\ntoken = \"{secret}\"");
        var clusterToken = new JoinToken(JoinToken.ClusterTokenId, secret, JoinToken.NormalizePin(hub.Identity.Authority.Pin)).Format();

        var (code, printed, stderr) = await MeshProcess.RunAsync("cluster-token", "--config", Path.Combine(hub.Directory.Path, "hub.toml"));
        Assert.True(code == 0, stderr);
        Assert.Equal(clusterToken, printed.Trim());

        await EnrollNodeAsync(hub, "ds-1", clusterToken);
        await EnrollNodeAsync(hub, "ds-2", clusterToken);
        var wrong = new JoinToken(JoinToken.ClusterTokenId, JoinToken.NewSecret(), JoinToken.NormalizePin(hub.Identity.Authority.Pin)).Format();
        var ex = await Assert.ThrowsAsync<NodeStopException>(() => EnrollNodeAsync(hub, "ds-3", wrong));

        Assert.Contains("join token is not valid", ex.Message, StringComparison.Ordinal);
        hub.Directory.Dispose();
    }

    [Fact]
    public async Task ClusterToken_DisabledOnHub_IsRefused()
    {
        await using var hub = await TestHub.StartAsync();
        var token = new JoinToken(JoinToken.ClusterTokenId, JoinToken.NewSecret(), JoinToken.NormalizePin(hub.Identity.Authority.Pin)).Format();

        var ex = await Assert.ThrowsAsync<NodeStopException>(() => EnrollNodeAsync(hub, "ds-1", token));

        Assert.Contains("the cluster bootstrap token is disabled on this hub", ex.Message, StringComparison.Ordinal);
        hub.Directory.Dispose();
    }

    private static async Task<(Core.Configuration.MeshConfig, Node.Identity.NodeIdentityFiles)> EnrollWithSecretAsync(Core.Tests.TempDirectory dir, string authLine)
    {
        await using var hub = await TestHub.StartAsync(extraToml: "[internal_grpc.auth]\n" + authLine, reuse: dir);
        var (config, files) = await EnrollNodeAsync(hub, "rotator");
        return (config, files);
    }

    private static async Task<string> WaitForSerialAsync(Node.Identity.NodeIdentityFiles files, string? previous, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (files.IsEnrolled)
            {
                try
                {
                    using var cert = X509Certificate2.CreateFromPem(File.ReadAllText(files.CertificatePath));
                    if (cert.SerialNumber != previous)
                        return cert.SerialNumber;
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    // mid-rename; read again
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException(previous is null ? "the node did not enroll" : "the node did not renew its certificate");
    }
}
