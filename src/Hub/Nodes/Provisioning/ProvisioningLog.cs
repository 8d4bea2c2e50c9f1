namespace Mesh.Hub.Nodes.Provisioning;

/// <summary>Provisioning logs name the target, the node and the outcome: never the key, its passphrase or the token.</summary>
internal static partial class ProvisioningLog
{
    [LoggerMessage(EventId = 3201, EventName = "SshHostKeyShown", Level = LogLevel.Information, Message = "SSH host key of {Target}: {Algorithm} {Fingerprint}")]
    public static partial void HostKeyShown(ILogger logger, string target, string algorithm, string fingerprint);

    [LoggerMessage(EventId = 3202, EventName = "SshProvisioned", Level = LogLevel.Information, Message = "Node {NodeId} provisioned over SSH on {Target} by {Actor}")]
    public static partial void Provisioned(ILogger logger, string nodeId, string target, string actor);

    [LoggerMessage(EventId = 3203, EventName = "SshProvisioningFailed", Level = LogLevel.Warning, Message = "Provisioning node {NodeId} over SSH on {Target} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string nodeId, string target, string reason);
}
