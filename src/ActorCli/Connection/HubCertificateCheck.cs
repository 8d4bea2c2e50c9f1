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

    public RemoteCertificateValidationCallback Callback(string hostName)
    {
        var validator = new CertificateValidator(ca);
        return validator.ServerCertificateCallback(hostName, result => LastFailure = result.IsValid ? null : result.Reason);
    }
}
