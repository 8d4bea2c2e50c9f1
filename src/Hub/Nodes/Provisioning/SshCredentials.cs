namespace Mesh.Hub.Nodes.Provisioning;

/// <summary>
/// The private key (and its passphrase) an operator pasted for one provisioning. It lives in memory for that one
/// request: never stored, never logged, never rendered back. <see cref="ToString"/> hides it.
/// </summary>
public sealed class SshCredentials(string privateKey, string? passphrase)
{
    internal string PrivateKey { get; } = privateKey.Replace("\r\n", "\n", StringComparison.Ordinal).Trim() + "\n";

    internal string? Passphrase { get; } = string.IsNullOrEmpty(passphrase) ? null : passphrase;

    public override string ToString() => "(private key)";
}
