using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Mesh.Pki;

namespace Mesh.Node.Join;

/// <summary>
/// How a node decides to trust the hub's TLS certificate: against the CA it already stores, or, before it has
/// one, against the CA pin in its join token (the hub sends its CA in the TLS chain). A node never talks to a
/// hub it cannot verify. The last refusal is kept so errors can say why.
/// </summary>
public sealed class HubTrust
{
    private readonly X509Certificate2? _ca;
    private readonly string? _pin;
    private readonly TimeProvider _time;

    private HubTrust(X509Certificate2? ca, string? pin, TimeProvider time)
    {
        _ca = ca;
        _pin = pin;
        _time = time;
    }

    /// <summary>Why the last handshake was refused, in words an operator can act on.</summary>
    public string? LastFailure { get; private set; }

    public static HubTrust FromCa(X509Certificate2 ca, TimeProvider time) => new(ca, null, time);

    public static HubTrust FromPin(string pin, TimeProvider time) => new(null, pin, time);

    public RemoteCertificateValidationCallback Callback(string hostName) => (_, certificate, chain, _) =>
    {
        if (certificate is null)
            return Fail("the hub presented no certificate");
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());

        var ca = _ca ?? FindPinnedCa(chain);
        if (ca is null)
            return false;
        using var validator = new CertificateValidator(ca, _time);
        var result = validator.ValidateServer(leaf, hostName, chain);
        return result.IsValid || Fail($"the hub's certificate is not acceptable: {result.Reason}");
    };

    private X509Certificate2? FindPinnedCa(X509Chain? chain)
    {
        var presented = chain?.ChainElements.Select(e => e.Certificate).ToList() ?? [];
        foreach (var candidate in presented)
        {
            if (CertificatePins.PinEquals(CertificatePins.ComputeSpkiPin(candidate), _pin!))
                return candidate;
        }

        var got = presented.Count > 0 ? CertificatePins.ComputeSpkiPin(presented[^1]) : "nothing";
        Fail($"this hub's CA does not match the pin in your token (expected {_pin}, got {got}); check [hub] target and the token");
        return null;
    }

    private bool Fail(string reason)
    {
        LastFailure = reason;
        return false;
    }
}
