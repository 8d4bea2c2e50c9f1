using Mesh.Core.Protocol;

namespace Mesh.Hub.Mailbox.Messages;

/// <summary>A message to store for one or more recipients (a team channel fans out).</summary>
/// <param name="ConversationId">For a message routed to an agent's run in a conversation: the conversation, stored with the message.</param>
/// <param name="AffinityNotice">Set when the conversation moved to this run: what the recipient is told.</param>
public sealed record NewMessage(
    string From,
    IReadOnlyList<string> Recipients,
    string? TeamId,
    string? RunId,
    string Channel,
    string Payload,
    PayloadKind Kind,
    string? IdempotencyKey,
    string? ConversationId = null,
    string? AffinityNotice = null);

/// <summary>What Send stored, or (duplicate) what an earlier send with the same idempotency key stored.</summary>
public sealed record SendResult(IReadOnlyList<ulong> MessageIds, IReadOnlyList<string> Recipients, bool Duplicate, MessageStatus Status);

/// <summary>An inbox read.</summary>
public sealed record InboxQuery(string ActorId, int Limit, ulong AfterId, bool IncludeDelivered, string? RunId, string? Channel);

/// <summary>What an ack changed.</summary>
public sealed record AckResult(int Acked, int AlreadyDelivered);
