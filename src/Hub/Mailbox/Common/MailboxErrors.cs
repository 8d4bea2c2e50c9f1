using Grpc.Core;

namespace Mesh.Hub.Mailbox.Common;

/// <summary>
/// The one table from a mailbox refusal to what each surface answers: the gRPC status (mesh.v1.Mailbox, and the code
/// name of a per-item batch result) and the HTTP status (REST API and pages).
/// </summary>
public static class MailboxErrors
{
    private static (StatusCode Grpc, int Http) Row(MailboxError error) => error switch
    {
        MailboxError.InvalidArgument => (StatusCode.InvalidArgument, StatusCodes.Status400BadRequest),
        MailboxError.NotFound => (StatusCode.NotFound, StatusCodes.Status404NotFound),
        MailboxError.PermissionDenied => (StatusCode.PermissionDenied, StatusCodes.Status403Forbidden),
        MailboxError.AlreadyExists => (StatusCode.AlreadyExists, StatusCodes.Status409Conflict),
        MailboxError.FailedPrecondition => (StatusCode.FailedPrecondition, StatusCodes.Status409Conflict),
        MailboxError.ResourceExhausted => (StatusCode.ResourceExhausted, StatusCodes.Status413PayloadTooLarge),
        _ => (StatusCode.Unknown, StatusCodes.Status500InternalServerError),
    };

    public static StatusCode GrpcStatus(MailboxError error) => Row(error).Grpc;

    public static int HttpStatus(MailboxError error) => Row(error).Http;

    /// <summary>The gRPC code's name as the wire and the CLI spell it ("INVALID_ARGUMENT"), for per-item results.</summary>
    public static string Code(MailboxError error) => error switch
    {
        MailboxError.InvalidArgument => "INVALID_ARGUMENT",
        MailboxError.NotFound => "NOT_FOUND",
        MailboxError.PermissionDenied => "PERMISSION_DENIED",
        MailboxError.AlreadyExists => "ALREADY_EXISTS",
        MailboxError.FailedPrecondition => "FAILED_PRECONDITION",
        MailboxError.ResourceExhausted => "RESOURCE_EXHAUSTED",
        _ => "UNKNOWN",
    };

    public static RpcException ToRpcException(this MailboxException exception) => new(new Status(GrpcStatus(exception.Error), exception.Message));

    /// <summary>A problem-details answer (REST) with the refusal's HTTP status and message.</summary>
    public static IResult ToProblem(this MailboxException exception) => Results.Problem(statusCode: HttpStatus(exception.Error), detail: exception.Message);
}
