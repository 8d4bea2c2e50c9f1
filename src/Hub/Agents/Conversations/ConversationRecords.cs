namespace Mesh.Hub.Agents.Conversations;

/// <summary>A conversation of an agent and the replica (or the agent itself) that holds it.</summary>
/// <param name="LeaseUntil">Renewed by every message: until then the conversation is active and its replica busy.</param>
/// <param name="Moves">How many times it moved because its replica was gone.</param>
public sealed record ConversationBinding(string AgentId, string ConversationId, string Replica, DateTimeOffset LeaseUntil, long Messages, long Moves,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
