using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Mesh.Pki;

namespace Mesh.Node.Join;

/// <summary>
/// How a node decides to trust the hub's TLS certificate. Normally against the CA it stores. Before it has one,
/// <see cref="ForDiscovery"/> only records the hub's certificate so the node can check it, and the CA bundle the
/// hub hands out, against the pin in its join token before sending anything secret. A node never talks to a
/// hub it cannot verify. The last refusal is kept so errors can say why.
/// </summary>
public sealed class HubTrust
{
    private readonly TimeProvider _time;
    private volatile X509Certificate2? _ca;

    private HubTrust(X509Certificate2? ca, TimeProvider time)
    {
        _ca = ca;
        _time = time;
    }

    /// <summary>Why the last handshake was refused, in words an operator can act on.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>In discovery mode: the certificate the hub presented (checked later against the pinned CA).</summary>
    public X509Certificate2? PresentedCertificate { get; private set; }

    public static HubTrust FromCa(X509Certificate2 ca, TimeProvider time) => new(ca, time);

    /// <summary>Accepts the handshake but remembers the hub's certificate; use only for the anonymous Discover call.</summary>
    public static HubTrust ForDiscovery(TimeProvider time) => new(null, time);

    public RemoteCertificateValidationCallback Callback(string hostName) => (_, certificate, chain, _) =>
    {
        if (certificate is null)
            return Fail("the hub presented no certificate");
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (_ca is null)
        {
            PresentedCertificate = X509CertificateLoader.LoadCertificate(leaf.RawData);
            return true;
        }

        using var validator = new CertificateValidator(_ca, _time);
        var result = validator.ValidateServer(leaf, hostName, chain);
        return result.IsValid || Fail($"the hub's certificate is not acceptable: {result.Reason}");
    };

    /// <summary>
    /// After discovery: the CA the hub handed out must match the token's pin, and the certificate the hub
    /// presented must be one that CA issued for this host name. Returns the CA, or the reason it is refused.
    /// </summary>
    public (X509Certificate2? Ca, string? Failure) VerifyDiscovered(string caBundlePem, string pin, string hostName)
    {
        X509Certificate2 ca;
        try
        {
            ca = X509Certificate2.CreateFromPem(caBundlePem);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return (null, "the hub sent a CA bundle that is not a PEM certificate");
        }

        var got = CertificatePins.ComputeSpkiPin(ca);
        if (!CertificatePins.PinEquals(got, pin))
            return (null, $"this hub's CA does not match the pin in your token (expected {pin}, got {got}); check [hub] target and the token");
        if (PresentedCertificate is null)
            return (null, "the hub presented no certificate");
        using var validator = new CertificateValidator(ca, _time);
        var result = validator.ValidateServer(PresentedCertificate, hostName);
        if (!result.IsValid)
            return (null, $"the hub's certificate is not issued by the pinned CA: {result.Reason}");

        // The connection already open is verified now; any further one must pass the CA check.
        _ca = ca;
        return (ca, null);
    }

    private bool Fail(string reason)
    {
        LastFailure = reason;
        return false;
    }
}
