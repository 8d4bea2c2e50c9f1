using System.Security.Cryptography;
using System.Text;
using Mesh.Hub.Audit;
using Mesh.Hub.Nodes.Join;
using Renci.SshNet;
using Renci.SshNet.Common;
using SshConnectionInfo = Renci.SshNet.ConnectionInfo;

namespace Mesh.Hub.Nodes.Provisioning;

/// <summary>
/// Installs a node on a machine over SSH (docs/deploy.md, "Provision over SSH"): the same install script as the
/// one-line join, run there with a fresh one-time token bound to the node id. The private key is used for this one
/// connection and dropped; the token goes over the channel's standard input, never into a command line.
/// </summary>
public sealed class SshProvisioner(JoinTokenService tokens, IAuditLog audit, ILogger<SshProvisioner> logger)
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(15);

    /// <summary>Connects without logging in, only to read the host key the operator is asked to confirm.</summary>
    public async Task<ProvisioningOutcome> FetchHostKeyAsync(SshTarget target, CancellationToken cancellationToken)
    {
        SshHostKey? seen = null;
        using var client = new SshClient(new SshConnectionInfo(target.Host, target.Port, target.User, new NoneAuthenticationMethod(target.User)) { Timeout = ConnectTimeout });
        client.HostKeyReceived += (_, e) =>
        {
            seen = new SshHostKey(e.HostKeyName, "SHA256:" + e.FingerPrintSHA256);
            e.CanTrust = false; // not trusted yet: the operator decides
        };
        try
        {
            await client.ConnectAsync(cancellationToken);
        }
        catch (Exception ex) when (seen is not null && ex is SshConnectionException)
        {
            // Expected: the connection ends once the key is read.
        }
        catch (Exception ex) when (SshFailures.Describe(ex, target) is { } message)
        {
            return ProvisioningOutcome.Failed(message);
        }

        if (seen is null)
            return ProvisioningOutcome.Failed($"{target.Host}:{target.Port} did not present an SSH host key.");
        var where = target.ToString();
        ProvisioningLog.HostKeyShown(logger, where, seen.Algorithm, seen.Fingerprint);
        return new ProvisioningOutcome(true, $"{target.Host}:{target.Port} presents the host key {seen.Algorithm} {seen.Fingerprint}.", HostKey: seen.Fingerprint);
    }

    /// <summary>Checks the host key, logs in with the key, checks the machine, then runs the install script there.</summary>
    public async Task<ProvisioningOutcome> ProvisionAsync(ProvisioningRequest request, SshCredentials credentials, string actor, string? source, CancellationToken cancellationToken)
    {
        var outcome = await RunAsync(request, credentials, actor, source, cancellationToken);
        var target = request.Target.ToString();
        if (outcome.Succeeded)
        {
            ProvisioningLog.Provisioned(logger, request.NodeId, target, actor);
            await audit.RecordAsync(actor, AuditActions.NodeProvisioned, request.NodeId, source, $"ssh {target}", cancellationToken);
        }
        else
        {
            ProvisioningLog.Failed(logger, request.NodeId, target, outcome.Message);
            await audit.RecordAsync(actor, AuditActions.NodeProvisioningFailed, request.NodeId, source, $"ssh {target}: {outcome.Message}", cancellationToken);
        }

        return outcome;
    }

    private async Task<ProvisioningOutcome> RunAsync(ProvisioningRequest request, SshCredentials credentials, string actor, string? source, CancellationToken cancellationToken)
    {
        var target = request.Target;
        PrivateKeyFile key;
        try
        {
            using var keyText = new MemoryStream(Encoding.UTF8.GetBytes(credentials.PrivateKey));
            key = new PrivateKeyFile(keyText, credentials.Passphrase);
        }
        catch (Exception ex) when (ex is SshException or ArgumentException or InvalidOperationException or FormatException or NotSupportedException or CryptographicException)
        {
            return ProvisioningOutcome.Failed(SshFailures.UnreadableKey(ex));
        }

        using var keyOwner = key;
        var expected = SshHostKey.Normalize(request.HostKeyFingerprint);
        string? presented = null;
        using var client = new SshClient(new SshConnectionInfo(target.Host, target.Port, target.User, new PrivateKeyAuthenticationMethod(target.User, key)) { Timeout = ConnectTimeout });
        client.HostKeyReceived += (_, e) =>
        {
            presented = "SHA256:" + e.FingerPrintSHA256;
            e.CanTrust = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented), Encoding.ASCII.GetBytes(expected));
        };
        try
        {
            await client.ConnectAsync(cancellationToken);
        }
        catch (Exception ex) when (presented is not null && presented != expected && ex is SshConnectionException)
        {
            return ProvisioningOutcome.Failed($"Host key mismatch: {target.Host}:{target.Port} presented {presented}, but the key you confirmed is {expected}. " +
                "Someone may be intercepting the connection, or the machine was reinstalled: check the key on the machine (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) before trying again. Nothing was done.");
        }
        catch (Exception ex) when (SshFailures.Describe(ex, target) is { } message)
        {
            return ProvisioningOutcome.Failed(message);
        }

        var check = await RunCommandAsync(client, "sh -c " + ShellQuote.Quote(MachineCheck), null, ConnectTimeout * 3, cancellationToken);
        var facts = check.Output;
        if (!facts.Contains("curl=yes", StringComparison.Ordinal))
            return ProvisioningOutcome.Failed($"{target.Host} has no curl, which the install script needs: install it there (apt-get install curl) and try again. Nothing was done.", facts);
        if (!facts.Contains("systemd=yes", StringComparison.Ordinal) && !request.NoService)
            return ProvisioningOutcome.Failed($"{target.Host} does not run systemd, so mesh-node.service cannot be installed. Tick \"Without a service\" to start the node in the background instead (it is then not restarted after a reboot or a crash), or install it by hand (docs/deploy.md). Nothing was done.", facts);

        var (_, token) = await tokens.CreateAsync(TokenLifetime, 1, request.NodeId, actor, source, cancellationToken);
        var tokenId = token.Split('.')[1];
        var install = await RunCommandAsync(client, request.Command.RemoteCommand(request.NodeId, request.NoService, request.Root), token + "\n", InstallTimeout, cancellationToken);
        if (install.ExitCode == 0)
            return new ProvisioningOutcome(true, $"Node '{request.NodeId}' installed on {target.Host} and joined.", install.Output);

        await tokens.RevokeAsync(tokenId, actor, source, CancellationToken.None);
        var reason = install.Output.Contains("sudo: a password is required", StringComparison.Ordinal) || install.Output.Contains("sudo: a terminal is required", StringComparison.Ordinal)
            ? $"'{target.User}' needs passwordless sudo on {target.Host} (or log in as root)."
            : install.ExitCode is null ? $"the install did not finish within {InstallTimeout.TotalMinutes:0} minutes." : $"the install script exited with {install.ExitCode}.";
        return ProvisioningOutcome.Failed($"Installing on {target.Host} failed: {reason} Its output is below; the one-time token made for it is revoked.", install.Output);
    }

    /// <summary>What the hub checks on the machine before it makes a token: a shell, curl, and whether systemd runs.</summary>
    private const string MachineCheck = """
        uname -sm
        if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then echo systemd=yes; else echo systemd=no; fi
        if command -v curl >/dev/null 2>&1; then echo curl=yes; else echo curl=no; fi
        """;

    private static async Task<(int? ExitCode, string Output)> RunCommandAsync(SshClient client, string commandText, string? input, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var command = client.CreateCommand(commandText);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var execution = command.ExecuteAsync(deadline.Token);
        await using (var stdin = command.CreateInputStream())
        {
            if (input is not null)
                await stdin.WriteAsync(Encoding.UTF8.GetBytes(input), cancellationToken);
        }

        try
        {
            await execution;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, (command.Result + command.Error).Trim());
        }

        return (command.ExitStatus, (command.Result + command.Error).Trim());
    }
}
