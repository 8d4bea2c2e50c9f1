using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Mesh.Core.Configuration;
using Mesh.Core.Join;
using Mesh.Core.Protocol;
using Mesh.Node.Connection;
using Mesh.Node.Identity;
using Mesh.Pki;
using Grpc.Core;

namespace Mesh.Node.Join;

/// <summary>Enrolls this node: a new key made here, a CSR, the token; the hub verified by pin or stored CA.</summary>
public sealed class NodeEnroller(MeshConfig config, NodeIdentityFiles files, TimeProvider time)
{
    private string NodeId => config.Server.NodeId!;

    /// <summary>Enrolls with the first hub listed; a hub that fails verification stops the node.</summary>
    public async Task EnrollAsync(CancellationToken cancellationToken)
    {
        try
        {
            await EnrollAsync(config.Hub.Target!, null, cancellationToken);
        }
        catch (HubRefusedException ex)
        {
            throw new NodeStopException(ex.Message, ex);
        }
    }

    /// <summary>Enrolls with <paramref name="target"/>; throws <see cref="HubRefusedException"/> when that hub fails verification.</summary>
    internal async Task EnrollAsync(Uri target, HubDialer? dialer, CancellationToken cancellationToken)
    {
        var tokenText = config.InternalGrpc.BootstrapToken?.Reveal()
            ?? throw new NodeStopException("this node has no certificate and no join token: set [internal_grpc.bootstrap] token to a token from the hub (UI \"Join node\" or POST /api/admin/join-tokens)");
        if (!JoinToken.TryParse(tokenText, out var token, out var error))
            throw new NodeStopException($"[internal_grpc.bootstrap] token: {error}");

        // One connection for discovery and enrollment: the token goes only over a session whose certificate
        // was verified against the pinned CA (or the stored ca.crt).
        var trust = files.HasCa ? HubTrust.FromCa(files.LoadCa(), time) : HubTrust.ForDiscovery(time);
        using var connection = dialer is null ? HubConnection.ForEnrollment(target, trust, NodeId, time) : HubConnection.ForEnrollment(target, dialer, trust, NodeId, time);
        if (!files.HasCa)
            await VerifyPinnedCaAsync(connection, trust, token, cancellationToken);
        var (csrPem, key) = CertificateSigningRequestInfo.Create(NodeId, []);
        using (key)
        {
            EnrollResponse response;
            try
            {
                response = await connection.Join.EnrollAsync(
                    new EnrollRequest { Token = token.Format(), NodeId = NodeId, CsrPem = csrPem, Facts = SystemFactsReader.Read(config) },
                    connection.Call(TimeSpan.FromSeconds(30), cancellationToken));
            }
            catch (RpcException ex) when (trust.LastFailure is { } reason)
            {
                throw new HubRefusedException($"refusing to enroll with {target}: {reason}", ex);
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.PermissionDenied or StatusCode.InvalidArgument or StatusCode.AlreadyExists or StatusCode.FailedPrecondition)
            {
                throw new NodeStopException($"the hub refused enrollment: {ex.Status.Detail}", ex);
            }

            files.Save(ExportPrivateKey(key), response.Credentials, time.GetUtcNow());
        }
    }

    /// <summary>Asks the hub for its CA (nothing secret is sent) and accepts it only if it matches the token's pin.</summary>
    private async Task VerifyPinnedCaAsync(HubConnection connection, HubTrust trust, JoinToken token, CancellationToken cancellationToken)
    {
        var discovered = await connection.Join.DiscoverAsync(new DiscoverRequest(), connection.Call(TimeSpan.FromSeconds(30), cancellationToken));
        var (_, failure) = trust.VerifyDiscovered(discovered.CaBundlePem, token.PkiPin, connection.Target.IdnHost);
        if (failure is not null)
            throw new HubRefusedException($"refusing to enroll with {connection.Target}: {failure}");
    }

    /// <summary>A fresh key and CSR for renewal over the current identity.</summary>
    public async Task RenewAsync(IHubConnection connection, CancellationToken cancellationToken)
    {
        var (csrPem, key) = CertificateSigningRequestInfo.Create(NodeId, []);
        using (key)
        {
            var response = await connection.Join.RenewAsync(new RenewRequest { CsrPem = csrPem }, connection.Call(TimeSpan.FromSeconds(30), cancellationToken));
            files.Save(ExportPrivateKey(key), response.Credentials, time.GetUtcNow());
        }
    }

    private static string ExportPrivateKey(AsymmetricAlgorithm key) => key.ExportPkcs8PrivateKeyPem();
}

/// <summary>A condition retrying cannot fix: the node stops and says what the operator must do.</summary>
public sealed class NodeStopException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One hub failed verification (another cluster's CA, a certificate not for its name): nothing more goes to it.</summary>
public sealed class HubRefusedException(string message, Exception? inner = null) : Exception(message, inner);

internal static class SystemFactsReader
{
    public static SystemFacts Read(MeshConfig config)
    {
        var facts = new SystemFacts
        {
            Hostname = Environment.MachineName,
            Platform = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "macos" : RuntimeInformation.OSDescription,
            Arch = RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
            CpuCount = Environment.ProcessorCount,
            MemoryBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            Version = typeof(SystemFactsReader).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            Name = config.Node.Name ?? config.Server.NodeId ?? string.Empty,
        };
        facts.Capabilities.AddRange(config.Node.Capabilities);
        return facts;
    }
}
