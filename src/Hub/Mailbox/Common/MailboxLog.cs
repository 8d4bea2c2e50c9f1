using Microsoft.Extensions.Logging;

namespace Mesh.Hub.Mailbox.Common;

internal static partial class MailboxLog
{
    [LoggerMessage(EventId = 6001, EventName = "MailboxBatchFailed", Level = LogLevel.Error, Message = "A mailbox write batch of {Count} operations failed to commit; every caller was told to retry.")]
    public static partial void BatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 6009, EventName = "MailboxBatchStoreDown", Level = LogLevel.Warning, Message = "A mailbox write batch of {Count} operations could not reach the store ({Reason}); every caller was told to retry.")]
    public static partial void BatchStoreDown(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 6002, EventName = "MailboxWriteFailed", Level = LogLevel.Warning, Message = "A mailbox write failed and was rolled back alone.")]
    public static partial void WriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6003, EventName = "MailboxNotifyFailed", Level = LogLevel.Error, Message = "Notifying watchers of committed messages failed.")]
    public static partial void NotifyFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6004, EventName = "MailboxStarted", Level = LogLevel.Information, Message = "Mailbox store open: {Actors} actors, next message id {NextId}.")]
    public static partial void Started(ILogger logger, int actors, long nextId);

    [LoggerMessage(EventId = 6005, EventName = "TriggerFired", Level = LogLevel.Information, Message = "Time trigger {TriggerId} fired for actor {ActorId}.")]
    public static partial void TriggerFired(ILogger logger, ulong triggerId, string actorId);

    [LoggerMessage(EventId = 6006, EventName = "TriggerLoopFailed", Level = LogLevel.Error, Message = "The time trigger scheduler failed; retrying in {Delay}.")]
    public static partial void TriggerLoopFailed(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 6007, EventName = "WatchOverflow", Level = LogLevel.Warning, Message = "Watch stream of actor {ActorId} fell {Count} messages behind and was ended; the client resumes with after_id.")]
    public static partial void WatchOverflow(ILogger logger, string actorId, int count);

    [LoggerMessage(EventId = 6008, EventName = "MailboxCallRefused", Level = LogLevel.Debug, Message = "Mailbox call {Method} refused: {Reason}")]
    public static partial void CallRefused(ILogger logger, string method, string reason);
}
