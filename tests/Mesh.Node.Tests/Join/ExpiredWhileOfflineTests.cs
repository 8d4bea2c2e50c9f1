using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Configuration;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;
using Mesh.Node;
using Mesh.Node.Identity;
using Mesh.Node.Join;
using Microsoft.Extensions.Logging.Abstractions;
using static Mesh.Hub.Tests.Nodes.Join.JoinTestHelpers;

namespace Mesh.Node.Tests.Join;

/// <summary>A node whose certificate expired while it was offline (the node's clock is moved past the expiry).</summary>
public sealed class ExpiredWhileOfflineTests
{
    [Fact]
    public async Task Node_ExpiredWithBoundTokenLeft_EnrollsAgain()
    {
        await using var hub = await TestHub.StartAsync(securityToml: "node_certificate_lifetime = \"20s\"");
        var token = await hub.CreateTokenAsync(uses: 2, nodeId: "sleeper");
        var (config, files) = await EnrollNodeAsync(hub, "sleeper", token);
        var firstSerial = Serial(files);

        // One step of the agent, with its clock past the certificate's expiry: it must enroll again.
        var later = new ManualTimeProvider(DateTimeOffset.UtcNow.AddSeconds(25));
        using (await TestNodeAgents.Create(config, later).EnsureIdentityAsync(CancellationToken.None))
        {
        }

        Assert.NotEqual(firstSerial, Serial(files));

        var audit = await hub.Admin.GetStringAsync("/api/admin/audit");
        Assert.Equal(2, CountOf(audit, "\"node.enrolled\""));
        hub.Directory.Dispose();
    }

    [Fact]
    public async Task Node_ExpiredWithoutToken_StopsAndSaysWhatToDo()
    {
        await using var hub = await TestHub.StartAsync(securityToml: "node_certificate_lifetime = \"20s\"");
        var (enrolledConfig, _) = await EnrollNodeAsync(hub, "sleeper");
        var config = enrolledConfig with { InternalGrpc = enrolledConfig.InternalGrpc with { BootstrapToken = null } };

        var later = new ManualTimeProvider(DateTimeOffset.UtcNow.AddSeconds(25));
        var ex = await Assert.ThrowsAsync<NodeStopException>(() =>
            TestNodeAgents.Create(config, later).EnsureIdentityAsync(CancellationToken.None));

        Assert.Contains("expired", ex.Message, StringComparison.Ordinal);
        Assert.Contains("POST /api/admin/join-tokens {\"node_id\":\"sleeper\"}", ex.Message, StringComparison.Ordinal);
        hub.Directory.Dispose();
    }

    private static string Serial(NodeIdentityFiles files)
    {
        using var cert = X509Certificate2.CreateFromPem(File.ReadAllText(files.CertificatePath));
        return cert.SerialNumber;
    }

    private static int CountOf(string text, string value) => (text.Length - text.Replace(value, "", StringComparison.Ordinal).Length) / value.Length;
}
