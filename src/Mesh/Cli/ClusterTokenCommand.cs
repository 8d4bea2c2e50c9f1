using Mesh.Core.Join;
using Mesh.Pki;

namespace Mesh.Cli;

/// <summary>
/// mesh cluster-token: prints the cluster bootstrap token (mesh1.cluster.&lt;secret&gt;.&lt;ca-pin&gt;) built from the hub's
/// [internal_grpc.bootstrap] token and its CA, for a DaemonSet's Secret. Printed to stdout only, never logged.
/// </summary>
internal static class ClusterTokenCommand
{
    public static int Execute(Invocation invocation, TextWriter output, TextWriter error)
    {
        if (!ConfigFile.TryLoad(invocation, error, out var config))
            return ExitCodes.Usage;
        var configured = config.InternalGrpc.BootstrapToken?.Reveal();
        if (configured is null)
        {
            error.WriteLine("error: the cluster bootstrap token is disabled: set [internal_grpc.bootstrap] token on the hub (e.g. the output of: openssl rand -base64 32 | tr '+/' '-_' | tr -d '='), restart the hub, then run this again.");
            return ExitCodes.Usage;
        }

        var caPath = Path.Combine(config.InternalGrpc.Security.CertDir, CertificateAuthority.CertificateFileName);
        if (!File.Exists(caPath))
        {
            error.WriteLine($"error: {caPath} does not exist yet: start the hub once (mesh run) so it creates its CA.");
            return ExitCodes.Failure;
        }

        using var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(caPath));
        var pin = JoinToken.NormalizePin(CertificatePins.ComputeSpkiPin(ca));
        if (JoinToken.TryParse(configured, out var full, out _))
        {
            if (!CertificatePins.PinEquals(full.PkiPin, "sha256:" + pin))
            {
                error.WriteLine($"error: [internal_grpc.bootstrap] token carries a CA pin that is not this hub's (sha256:{pin}); replace it with a bare secret.");
                return ExitCodes.Failure;
            }

            output.WriteLine(full.Format());
        }
        else
        {
            output.WriteLine(new JoinToken(JoinToken.ClusterTokenId, configured, pin).Format());
        }

        return ExitCodes.Ok;
    }
}
