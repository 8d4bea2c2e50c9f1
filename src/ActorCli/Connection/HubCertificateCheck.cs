using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Mesh.Pki;

namespace Mesh.ActorCli.Connection;

/// <summary>
/// Accepts the server only if its certificate is the hub's own (chain to the hub's CA, host name, and the hub
/// identity mesh://&lt;cluster&gt;/hub that the CA gives no node), so no token is sent to a node posing as the hub.
/// Keeps the reason of the last refusal for the error message.
/// </summary>
internal sealed class HubCertificateCheck(X509Certificate2 ca)
{
    public string? LastFailure { get; private set; }

    /// <summary>
    /// The chain policy TLS builds the server's chain with before the callback sees it: the hub's CA as the only root.
    /// Without it the platform builds the chain against the system store and reads every certificate in
    /// /etc/ssl/certs first — most of the CLI's time on a call.
    /// </summary>
    public X509ChainPolicy ChainPolicy()
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(ca);
        return policy;
    }

    public RemoteCertificateValidationCallback Callback(string hostName)
    {
        var validator = new CertificateValidator(ca);
        return validator.ServerCertificateCallback(hostName, result => LastFailure = result.IsValid ? null : result.Reason);
    }
}
