namespace Mesh.Pki;

/// <summary>The outcome of <see cref="CertificateValidator"/>: valid, or the human reason it is not.</summary>
public sealed class CertificateValidationResult
{
    private CertificateValidationResult(bool isValid, string? reason, string? clusterId, string? nodeId, string serialNumber)
    {
        IsValid = isValid;
        Reason = reason;
        ClusterId = clusterId;
        NodeId = nodeId;
        SerialNumber = serialNumber;
    }

    public bool IsValid { get; }

    /// <summary>Why the certificate was rejected ("certificate expired at …", "certificate is not signed by this hub's CA", "certificate revoked"); null when valid.</summary>
    public string? Reason { get; }

    /// <summary>From the mesh:// URI SAN, when the certificate carries one.</summary>
    public string? ClusterId { get; }

    public string? NodeId { get; }

    /// <summary>Uppercase hex, as <see cref="System.Security.Cryptography.X509Certificates.X509Certificate2.SerialNumber"/>.</summary>
    public string SerialNumber { get; }

    internal static CertificateValidationResult Valid(string? clusterId, string? nodeId, string serial) => new(true, null, clusterId, nodeId, serial);

    internal static CertificateValidationResult Invalid(string reason, string? clusterId, string? nodeId, string serial) => new(false, reason, clusterId, nodeId, serial);

    public override string ToString() => IsValid ? $"valid (node {NodeId ?? "-"})" : $"invalid: {Reason}";
}
