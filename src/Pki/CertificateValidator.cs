using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Mesh.Pki.Internal;

namespace Mesh.Pki;

/// <summary>
/// Validates peer certificates against the hub CA as the only trust root (CustomRootTrust), with the right EKU,
/// the injected clock and a revocation hook. TLS servers use <see cref="ValidateClient"/>, clients <see cref="ValidateServer"/>.
/// </summary>
public sealed class CertificateValidator : IDisposable
{
    private readonly X509Certificate2 _ca;
    private readonly TimeProvider _time;
    private readonly Func<X509Certificate2, bool>? _isRevoked;
    private readonly string? _caClusterId;

    public CertificateValidator(X509Certificate2 caCertificate, TimeProvider? time = null, Func<X509Certificate2, bool>? isRevoked = null)
    {
        ArgumentNullException.ThrowIfNull(caCertificate);
        _ca = X509CertificateLoader.LoadCertificate(caCertificate.RawData);
        _time = time ?? TimeProvider.System;
        _isRevoked = isRevoked;
        _caClusterId = ReadOrganization(_ca);
    }

    /// <summary>Client certificate check: chain to the CA, clientAuth EKU, validity at the injected time, not revoked, cluster matches the CA's.</summary>
    public CertificateValidationResult ValidateClient(X509Certificate2 leaf, X509Chain? presentedChain = null) =>
        Validate(leaf, presentedChain, LeafBuilder.ClientAuthOid, "clientAuth", hostName: null);

    /// <summary>
    /// Server certificate check for a client dialing the hub: as <see cref="ValidateClient"/> with serverAuth EKU, plus
    /// <paramref name="hostName"/> (DNS name or IP literal) matching a SAN, plus the hub identity mesh://&lt;cluster&gt;/hub,
    /// which the CA puts only into the hub's own certificates. So no other certificate from the CA — a node's, with the
    /// hub's name in it — passes for the hub's; use <see cref="ValidateNodeServer"/> to dial a node.
    /// </summary>
    public CertificateValidationResult ValidateServer(X509Certificate2 leaf, string hostName, X509Chain? presentedChain = null)
    {
        var result = Validate(leaf, presentedChain, LeafBuilder.ServerAuthOid, "serverAuth", hostName);
        if (!result.IsValid)
            return result;
        if (result.NodeId is not null)
            return CertificateValidationResult.Invalid($"certificate belongs to node '{result.NodeId}', not to the hub", result.ClusterId, result.NodeId, result.SerialNumber);
        if (_caClusterId is null || !NodeIdentity.IsHubCertificate(leaf, _caClusterId))
            return CertificateValidationResult.Invalid($"certificate is not the hub's: it lacks the hub identity mesh://{_caClusterId}/hub", result.ClusterId, null, result.SerialNumber);
        return result;
    }

    /// <summary>Server certificate check for the hub dialing a node: serverAuth, host name, and the mesh:// identity must be <paramref name="expectedNodeId"/>.</summary>
    public CertificateValidationResult ValidateNodeServer(X509Certificate2 leaf, string hostName, string expectedNodeId, X509Chain? presentedChain = null)
    {
        var result = Validate(leaf, presentedChain, LeafBuilder.ServerAuthOid, "serverAuth", hostName);
        if (result.IsValid && !string.Equals(result.NodeId, expectedNodeId, StringComparison.Ordinal))
            return CertificateValidationResult.Invalid($"certificate belongs to node '{result.NodeId ?? "(none)"}', expected node '{expectedNodeId}'", result.ClusterId, result.NodeId, result.SerialNumber);
        return result;
    }

    /// <summary>An SslStream server callback: requires a client certificate and accepts it only when <see cref="ValidateClient"/> does.</summary>
    public RemoteCertificateValidationCallback ClientCertificateCallback(Action<CertificateValidationResult>? onResult = null) =>
        (_, certificate, chain, _) =>
        {
            var result = certificate is null
                ? CertificateValidationResult.Invalid("no client certificate was presented", null, null, string.Empty)
                : ValidateClient(AsCertificate2(certificate), chain);
            onResult?.Invoke(result);
            return result.IsValid;
        };

    /// <summary>An SslStream client callback for a connection to the hub at <paramref name="hostName"/>.</summary>
    public RemoteCertificateValidationCallback ServerCertificateCallback(string hostName, Action<CertificateValidationResult>? onResult = null) =>
        (_, certificate, chain, _) =>
        {
            var result = certificate is null
                ? CertificateValidationResult.Invalid("the server presented no certificate", null, null, string.Empty)
                : ValidateServer(AsCertificate2(certificate), hostName, chain);
            onResult?.Invoke(result);
            return result.IsValid;
        };

    private CertificateValidationResult Validate(X509Certificate2 leaf, X509Chain? presentedChain, string ekuOid, string ekuName, string? hostName)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        string? clusterId = null;
        string? nodeId = null;
        if (NodeIdentity.TryGetNodeId(leaf, out var c, out var n))
            (clusterId, nodeId) = (c, n);
        var serial = leaf.SerialNumber;
        CertificateValidationResult Fail(string reason) => CertificateValidationResult.Invalid(reason, clusterId, nodeId, serial);

        var now = _time.GetUtcNow();
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.Add(_ca);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = now.UtcDateTime;
        policy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(ekuOid));
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainElements)
            {
                if (!string.Equals(element.Certificate.Thumbprint, leaf.Thumbprint, StringComparison.Ordinal))
                    policy.ExtraStore.Add(element.Certificate);
            }
        }

        var built = chain.Build(leaf);
        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (acc, s) => acc | s.Status);
        var root = chain.ChainElements.Count > 0 ? chain.ChainElements[^1].Certificate : null;
        const X509ChainStatusFlags NotTrusted = X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain |
            X509ChainStatusFlags.NotSignatureValid | X509ChainStatusFlags.Cyclic | X509ChainStatusFlags.ExplicitDistrust;
        if ((flags & NotTrusted) != 0 || root is null || !root.RawData.AsSpan().SequenceEqual(_ca.RawData))
            return Fail("certificate is not signed by this hub's CA");
        if (leaf.RawData.AsSpan().SequenceEqual(_ca.RawData) || leaf.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
            return Fail("certificate is a CA certificate, not a leaf certificate");

        if (now > new DateTimeOffset(leaf.NotAfter.ToUniversalTime()))
            return Fail($"certificate expired at {leaf.NotAfter.ToUniversalTime():u}");
        if (now < new DateTimeOffset(leaf.NotBefore.ToUniversalTime()))
            return Fail($"certificate is not valid before {leaf.NotBefore.ToUniversalTime():u}");
        if (now > new DateTimeOffset(_ca.NotAfter.ToUniversalTime()))
            return Fail($"this hub's CA certificate expired at {_ca.NotAfter.ToUniversalTime():u}");
        if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
            return Fail("certificate chain is outside its validity period");
        if ((flags & X509ChainStatusFlags.NotValidForUsage) != 0)
            return Fail($"certificate lacks the {ekuName} extended key usage");
        if (!built)
            return Fail($"certificate chain is invalid: {flags}");

        if (clusterId is not null && _caClusterId is not null && !string.Equals(clusterId, _caClusterId, StringComparison.Ordinal))
            return Fail($"certificate belongs to cluster '{clusterId}', but this hub's CA is for cluster '{_caClusterId}'");
        if (_isRevoked is not null && _isRevoked(leaf))
            return Fail($"certificate revoked (serial {serial})");
        if (hostName is not null && !MatchesHost(leaf, hostName))
            return Fail($"certificate does not cover the host name '{hostName}' (no matching DNS or IP SAN)");
        return CertificateValidationResult.Valid(clusterId, nodeId, serial);
    }

    private static bool MatchesHost(X509Certificate2 leaf, string hostName)
    {
        var host = hostName.Trim();
        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        try
        {
            return leaf.MatchesHostname(host, allowWildcards: true, allowCommonName: false);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static X509Certificate2 AsCertificate2(X509Certificate certificate) =>
        certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());

    private static string? ReadOrganization(X509Certificate2 certificate)
    {
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == "2.5.4.10")
                return rdn.GetSingleElementValue();
        }

        return null;
    }

    public void Dispose() => _ca.Dispose();
}
