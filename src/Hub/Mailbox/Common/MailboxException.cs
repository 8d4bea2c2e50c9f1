namespace Mesh.Hub.Mailbox.Common;

/// <summary>Why a mailbox operation was refused; the gRPC service and the REST API map each to their status codes.</summary>
public enum MailboxError
{
    InvalidArgument,
    NotFound,
    PermissionDenied,
    AlreadyExists,
    FailedPrecondition,
    ResourceExhausted,
}

/// <summary>A refused mailbox operation, with a message that says what to do about it.</summary>
public sealed class MailboxException(MailboxError error, string message) : Exception(message)
{
    public MailboxError Error { get; } = error;
}
