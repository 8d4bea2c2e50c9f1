using Mesh.Hub.Nodes.Join;

namespace Mesh.Hub.Nodes.Provisioning;

/// <summary>
/// One SSH provisioning, secrets excepted (they are <see cref="SshCredentials"/>): where, which host key the operator
/// confirmed, the node id the token is bound to, and how the script runs (<see cref="Root"/> is its --root).
/// </summary>
public sealed record ProvisioningRequest(SshTarget Target, string HostKeyFingerprint, string NodeId, JoinCommand Command, bool NoService, string? Root);
