using Mesh.Core.Auth;
using Mesh.Core.Protocol;
using Mesh.Hub.InternalApi;
using Grpc.Core;
using MailboxGrpc = Mesh.Core.Protocol.Mailbox;

namespace Mesh.Hub.Mailbox;

/// <summary>
/// <c>mesh.v1.Mailbox</c> on the hub's internal listener. The host's authenticator has already checked the token
/// (and, in mtls mode, that a node-signed token matches the client certificate); this layer resolves the acting
/// actor and maps refusals to gRPC status codes.
/// </summary>
public sealed class MailboxRpcService : MailboxGrpc.MailboxBase
{
    private static readonly TimeSpan MaxPermissionWait = TimeSpan.FromSeconds(60);
    private static readonly WriteOptions BufferHint = new(WriteFlags.BufferHint);
    private readonly MailboxService _mailbox;
    private readonly ILogger<MailboxRpcService> _logger;
    private readonly TimeProvider _time;
    private readonly CancellationToken _stopping;

    public MailboxRpcService(MailboxService mailbox, TimeProvider time, ILogger<MailboxRpcService> logger, IHostApplicationLifetime? lifetime = null)
    {
        _mailbox = mailbox;
        _time = time;
        _logger = logger;
        _stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
    }

    public override Task<SendResponse> Send(SendRequest request, ServerCallContext context) => Call(context, request, _mailbox.SendAsync);

    public override Task<SendBatchResponse> SendBatch(SendBatchRequest request, ServerCallContext context) => Call(context, request, _mailbox.SendBatchAsync);

    public override Task<InboxResponse> Inbox(InboxRequest request, ServerCallContext context) => Call(context, request, _mailbox.InboxAsync);

    public override Task<AckResponse> Ack(AckRequest request, ServerCallContext context) => Call(context, request, _mailbox.AckAsync);

    public override Task<TeamMembersResponse> TeamMembers(TeamMembersRequest request, ServerCallContext context) => Call(context, request, _mailbox.TeamMembersAsync);

    public override Task<TimeTrigger> TimeTriggerSet(TimeTriggerSetRequest request, ServerCallContext context) => Call(context, request, _mailbox.TimeTriggerSetAsync);

    public override Task<TimeTriggerListResponse> TimeTriggerList(TimeTriggerListRequest request, ServerCallContext context) => Call(context, request, _mailbox.TimeTriggerListAsync);

    public override Task<TimeTrigger> TimeTriggerCancel(TimeTriggerCancelRequest request, ServerCallContext context) => Call(context, request, _mailbox.TimeTriggerCancelAsync);

    public override Task<PermissionReview> PermissionRequest(PermissionRequestRequest request, ServerCallContext context) => Call(context, request, _mailbox.PermissionRequestAsync);

    public override Task<PermissionReview> PermissionRespond(PermissionRespondRequest request, ServerCallContext context) => Call(context, request, _mailbox.PermissionRespondAsync);

    public override Task<PermissionListResponse> PermissionList(PermissionListRequest request, ServerCallContext context) => Call(context, request, _mailbox.PermissionListAsync);

    public override Task<PermissionReview> PermissionWait(PermissionWaitRequest request, ServerCallContext context) =>
        Call(context, request, (caller, r, ct) => _mailbox.PermissionWaitAsync(caller, r, WaitBudget(context), ct, _stopping));

    /// <summary>Maps a refusal to its gRPC status (also used by the node relay's tests and the REST layer's docs).</summary>
    public static StatusCode ToStatusCode(MailboxError error) => error switch
    {
        MailboxError.InvalidArgument => StatusCode.InvalidArgument,
        MailboxError.NotFound => StatusCode.NotFound,
        MailboxError.PermissionDenied => StatusCode.PermissionDenied,
        MailboxError.AlreadyExists => StatusCode.AlreadyExists,
        MailboxError.FailedPrecondition => StatusCode.FailedPrecondition,
        MailboxError.ResourceExhausted => StatusCode.ResourceExhausted,
        _ => StatusCode.Unknown,
    };

    private async Task<TResponse> Call<TRequest, TResponse>(ServerCallContext context, TRequest request, Func<CallerIdentity, TRequest, CancellationToken, Task<TResponse>> handler)
    {
        try
        {
            return await handler(context.GetCaller(), request, context.CancellationToken);
        }
        catch (MailboxException ex)
        {
            MailboxLog.CallRefused(_logger, context.Method, ex.Message);
            throw new RpcException(new Status(ToStatusCode(ex.Error), ex.Message));
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.Data.Sqlite.SqliteException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, ex.Message));
        }
    }

    public override async Task Watch(WatchRequest request, IServerStreamWriter<MailboxMessage> responseStream, ServerCallContext context)
    {
        // A watch lives until the client leaves; on hub shutdown it ends at once with UNAVAILABLE (clients resume
        // with after_id) instead of holding the graceful shutdown for its whole timeout.
        using var watchEnd = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _stopping);
        try
        {
            // Headers go out once the watcher is live, so a client can wait for them before it relies on the stream.
            var wrote = false;
            await _mailbox.WatchAsync(
                context.GetCaller(),
                request,
                (message, flush, ct) =>
                {
                    wrote = true;
                    responseStream.WriteOptions = flush ? null : BufferHint;
                    return new ValueTask(responseStream.WriteAsync(message, ct));
                },
                watchEnd.Token,
                () => wrote ? Task.CompletedTask : context.WriteResponseHeadersAsync(new Metadata()));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the hub is shutting down; reconnect and resume with after_id"));
        }
        catch (MailboxException ex)
        {
            MailboxLog.CallRefused(_logger, context.Method, ex.Message);
            throw new RpcException(new Status(ToStatusCode(ex.Error), ex.Message));
        }
        catch (WatchOverflowException ex)
        {
            MailboxLog.WatchOverflow(_logger, request.ActorId, _mailbox.Options.WatchBuffer);
            throw new RpcException(new Status(StatusCode.Unavailable, ex.Message));
        }
    }

    private TimeSpan WaitBudget(ServerCallContext context)
    {
        if (context.Deadline == DateTime.MaxValue)
            return TimeSpan.FromSeconds(30);
        var left = context.Deadline - _time.GetUtcNow().UtcDateTime - TimeSpan.FromMilliseconds(500);
        return left < TimeSpan.Zero ? TimeSpan.Zero : left > MaxPermissionWait ? MaxPermissionWait : left;
    }
}
