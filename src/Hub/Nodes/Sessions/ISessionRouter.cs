using Mesh.Core.Protocol;

namespace Mesh.Hub.Nodes.Sessions;

/// <summary>
/// Where a command goes when its node's session is not on this hub. One hub (SQLite): nowhere, the caller hears that
/// the node is not connected. Several hubs (PostgreSQL): to the hub that holds the session, through the
/// <c>node_commands</c> table and the cluster bus. Also records which hub holds which session.
/// </summary>
public interface ISessionRouter
{
    /// <summary>This hub now holds <paramref name="nodeId"/>'s session <paramref name="generation"/>.</summary>
    Task AttachedAsync(string nodeId, long generation, CancellationToken cancellationToken);

    /// <summary>That session ended on this hub (a newer one, here or elsewhere, is left alone).</summary>
    Task DetachedAsync(string nodeId, long generation, CancellationToken cancellationToken);

    /// <summary>Whether another live hub holds the node's session (as last heard; no round trip).</summary>
    bool HeldElsewhere(string nodeId);

    /// <summary>Sends through the hub that holds the session and waits for the result; <see cref="SessionCommandException"/> otherwise.</summary>
    Task<CommandResult> SendElsewhereAsync(string nodeId, NodeCommand command, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>One hub: every session is local, so there is nowhere else to route to.</summary>
internal sealed class SingleHubRouter : ISessionRouter
{
    public Task AttachedAsync(string nodeId, long generation, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DetachedAsync(string nodeId, long generation, CancellationToken cancellationToken) => Task.CompletedTask;

    public bool HeldElsewhere(string nodeId) => false;

    public Task<CommandResult> SendElsewhereAsync(string nodeId, NodeCommand command, TimeSpan timeout, CancellationToken cancellationToken) =>
        throw NotConnected(nodeId, "this hub");

    internal static SessionCommandException NotConnected(string nodeId, string where) =>
        new($"node '{nodeId}' has no live session (it is not connected to {where})");
}
