using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Rpc.Tls;

/// <summary>
/// Client-certificate validation on platform crypto only: chain built with custom root trust (the given CAs are the
/// only roots), clientAuth EKU required, validity checked at the injected clock's time, and a revocation hook
/// (e.g. a deny-list of serial numbers). Intermediates the client presented are used to build the chain.
/// </summary>
public sealed class RpcClientCertificateValidator
{
    private static readonly Oid ClientAuthOid = new("1.3.6.1.5.5.7.3.2");

    private readonly X509Certificate2Collection _roots;
    private readonly Func<X509Certificate2, bool>? _isRevoked;
    private readonly TimeProvider _time;

    public RpcClientCertificateValidator(X509Certificate2Collection trustedRoots, Func<X509Certificate2, bool>? isRevoked = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(trustedRoots);
        if (trustedRoots.Count == 0)
        {
            throw new ArgumentException("At least one trusted root certificate is needed to validate client certificates.", nameof(trustedRoots));
        }

        _roots = trustedRoots;
        _isRevoked = isRevoked;
        _time = time ?? TimeProvider.System;
    }

    public ClientCertificateCheck Validate(X509Certificate2 certificate, X509Chain? presentedChain)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(_roots);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.ApplicationPolicy.Add(ClientAuthOid);
        policy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        policy.VerificationTimeIgnored = false;
        if (presentedChain is not null)
        {
            policy.ExtraStore.AddRange(presentedChain.ChainPolicy.ExtraStore);
            foreach (var element in presentedChain.ChainElements)
            {
                if (!element.Certificate.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
                {
                    policy.ExtraStore.Add(element.Certificate);
                }
            }
        }

        if (!chain.Build(certificate))
        {
            var problems = chain.ChainStatus
                .Where(s => s.Status != X509ChainStatusFlags.NoError)
                .Select(s => Describe(s.Status, s.StatusInformation))
                .Distinct();
            return ClientCertificateCheck.Invalid($"certificate '{certificate.Subject}' (serial {certificate.SerialNumber}) is not trusted: {string.Join("; ", problems)}");
        }

        if (_isRevoked is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                if (_isRevoked(element.Certificate))
                {
                    return ClientCertificateCheck.Invalid($"certificate '{element.Certificate.Subject}' (serial {element.Certificate.SerialNumber}) is revoked");
                }
            }
        }

        return ClientCertificateCheck.Valid;
    }

    private static string Describe(X509ChainStatusFlags flag, string information) => flag switch
    {
        X509ChainStatusFlags.NotTimeValid => "expired or not yet valid",
        X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain => "issued by an unknown CA",
        X509ChainStatusFlags.NotValidForUsage => "not valid for client authentication (EKU clientAuth missing)",
        X509ChainStatusFlags.Revoked => "revoked",
        _ => $"{flag}: {information.Trim()}",
    };
}
