using Mesh.Core.Protocol;

namespace Mesh.Hub.Mailbox.Messages;

/// <summary>
/// Where a message sent to an agent (<c>to_agent_id</c>) goes: one of the agent's live runs, the same one for every
/// message of a conversation. The agents capability implements it; without it, sends to an agent are refused.
/// </summary>
public interface IAgentRouter
{
    /// <summary>The agent whose replica <paramref name="actorId"/> is (removed replicas included), or null.</summary>
    string? ReplicaOf(string actorId);

    bool IsAgent(string id);

    /// <summary>Picks the run; for a conversation, binds it or keeps (or moves) its binding in the store.</summary>
    Task<AgentRoute> RouteAsync(string agentId, string? conversationId, CancellationToken cancellationToken);

    /// <summary>
    /// A message of the route's conversation was stored: counts it and renews the conversation's lease. The message
    /// itself already carries its conversation; a renewal lost to a crash only shortens the lease.
    /// </summary>
    Task RenewAsync(AgentRoute route, CancellationToken cancellationToken);
}

/// <param name="Recipient">The run the message goes to: the agent itself or one of its replicas.</param>
/// <param name="MovedFrom">The replica that held the conversation until now (it is no longer live), or null.</param>
/// <param name="Notice">The "affinity broken" notice, set with <paramref name="MovedFrom"/>.</param>
public sealed record AgentRoute(string AgentId, string Recipient, string? ConversationId, string? MovedFrom, string? Notice)
{
    /// <summary>What the run the conversation moved to reads on the message (null when it did not move).</summary>
    public string? RecipientNotice => MovedFrom is { } from
        ? $"affinity broken: conversation '{ConversationId}' was on replica '{from}'; it moved here ('{Recipient}'), without its earlier context."
        : null;
}
