namespace Mesh.Hub.Nodes.Provisioning;

/// <summary>What happened, in words for the operator. <see cref="Output"/> is what the install script printed.</summary>
public sealed record ProvisioningOutcome(bool Succeeded, string Message, string? Output = null, string? HostKey = null)
{
    public static ProvisioningOutcome Failed(string message, string? output = null) => new(false, message, output);
}

/// <summary>A host key as OpenSSH prints it (<c>ssh-keygen -lf</c>): algorithm and SHA256 fingerprint.</summary>
public sealed record SshHostKey(string Algorithm, string Fingerprint)
{
    /// <summary>"SHA256:" + unpadded base64, as OpenSSH shows it; the prefix and padding are optional on input.</summary>
    public static string Normalize(string fingerprint)
    {
        var text = fingerprint.Trim();
        if (text.StartsWith("SHA256:", StringComparison.OrdinalIgnoreCase))
            text = text[7..];
        return "SHA256:" + text.TrimEnd('=');
    }
}
