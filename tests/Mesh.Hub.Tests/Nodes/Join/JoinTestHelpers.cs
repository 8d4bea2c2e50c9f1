using System.Diagnostics;
using Mesh.Core.Configuration;
using Mesh.Core.Protocol;
using Mesh.Node.Connection;
using Mesh.Node.Identity;
using Mesh.Node.Join;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Nodes.Join;

internal static class JoinTestHelpers
{
    /// <summary>Sends a raw Enroll request, trusting the hub by its CA pin as a joining node does.</summary>
    public static async Task<EnrollResponse> EnrollRawAsync(TestHub hub, string token, string nodeId, string csrPem)
    {
        using var connection = HubConnection.ForEnrollment(hub.InternalUrl, HubTrust.FromCa(hub.Identity.Authority.Certificate, TimeProvider.System), nodeId, TimeProvider.System);
        return await connection.Channel.Join().EnrollAsync(new EnrollRequest { Token = token, NodeId = nodeId, CsrPem = csrPem, Facts = new SystemFacts { Hostname = "test" } },
            connection.Call(TimeSpan.FromSeconds(20), CancellationToken.None)).ResponseAsync;
    }

    public static async Task<(MeshConfig Config, NodeIdentityFiles Files)> EnrollNodeAsync(TestHub hub, string nodeId, string? token = null, string mode = "mtls")
    {
        token ??= await hub.CreateTokenAsync();
        var config = hub.NodeConfig(nodeId, token, mode);
        var files = new NodeIdentityFiles(config.InternalGrpc.Security.CertDir);
        await new NodeEnroller(config, files, TimeProvider.System).EnrollAsync(CancellationToken.None);
        return (config, files);
    }

    public static async Task<WhoamiResponse> WhoamiAsync(IHubConnection connection) =>
        await connection.Channel.Join().WhoamiAsync(new WhoamiRequest(), connection.Call(TimeSpan.FromSeconds(20), CancellationToken.None)).ResponseAsync;

    /// <summary>A CSR for <paramref name="nodeId"/> with no extra names, as a node makes it.</summary>
    public static string Csr(string nodeId)
    {
        var (pem, key) = Mesh.Pki.CertificateSigningRequestInfo.Create(nodeId, []);
        key.Dispose();
        return pem;
    }

    public static string Openssl(params string[] args)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("openssl is required: apt-get install -y openssl");
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
