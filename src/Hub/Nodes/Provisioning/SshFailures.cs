using System.Net.Sockets;
using Renci.SshNet.Common;

namespace Mesh.Hub.Nodes.Provisioning;

/// <summary>SSH failures in words for the operator: what went wrong and what to check.</summary>
internal static class SshFailures
{
    public static string? Describe(Exception ex, SshTarget target) => ex switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } =>
            $"Cannot reach {target.Host}:{target.Port}: connection refused. Is sshd running there, and is the port right? Nothing was done.",
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } =>
            $"Cannot reach {target.Host}: no such host name. Nothing was done.",
        SocketException { SocketErrorCode: SocketError.TimedOut } or SshOperationTimeoutException or TimeoutException =>
            $"Cannot reach {target.Host}:{target.Port}: no answer within {SshProvisioner.ConnectTimeout.TotalSeconds:0} s (a firewall, or the wrong address?). Nothing was done.",
        SocketException socket =>
            $"Cannot reach {target.Host}:{target.Port}: {socket.SocketErrorCode}. Nothing was done.",
        SshAuthenticationException =>
            $"{target.Host} refused the private key for user '{target.User}'. Is its public key in ~{target.User}/.ssh/authorized_keys there, and is it the right key? Nothing was done.",
        SshConnectionException connection =>
            $"The SSH connection to {target.Host}:{target.Port} failed: {connection.Message} Nothing was done.",
        _ => null,
    };

    public static string UnreadableKey(Exception ex) => ex is SshPassPhraseNullOrEmptyException
        ? "The private key is encrypted: enter its passphrase. Nothing was done."
        : $"The private key cannot be read ({ex.Message}): paste the whole private key file (OpenSSH or PEM, with its BEGIN and END lines), and its passphrase if it has one. Nothing was done.";
}
