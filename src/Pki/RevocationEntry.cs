namespace Mesh.Pki;

/// <summary>One revoked certificate: serial (uppercase hex, no leading zeros), when it would have expired, when and why it was revoked.</summary>
public sealed record RevocationEntry(string SerialHex, DateTimeOffset CertificateNotAfter, DateTimeOffset RevokedAt, string Reason);
