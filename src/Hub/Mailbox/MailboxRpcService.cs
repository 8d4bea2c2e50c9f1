using Mesh.Core.Auth;
using Mesh.Core.Protocol;
using Mesh.Hub.InternalApi;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Mailbox.Reviews;
using Mesh.Hub.Mailbox.Triggers;
using Grpc.Core;
using MailboxGrpc = Mesh.Core.Protocol.Mailbox;

namespace Mesh.Hub.Mailbox;

/// <summary>
/// <c>mesh.v1.Mailbox</c> on the hub's internal listener. The host's authenticator has already checked the token
/// (and, in mtls mode, that a node-signed token matches the client certificate); this layer resolves the acting
/// actor and maps refusals to gRPC status codes (<see cref="MailboxErrors"/>). One proto service over four
/// capabilities: messages, triggers and reviews (actors are resolved by each).
/// </summary>
public sealed class MailboxRpcService : MailboxGrpc.MailboxBase
{
    private static readonly TimeSpan MaxPermissionWait = TimeSpan.FromSeconds(60);
    private static readonly WriteOptions BufferHint = new(WriteFlags.BufferHint);
    private readonly MessageService _messages;
    private readonly TriggerService _triggers;
    private readonly ReviewService _reviews;
    private readonly ILogger<MailboxRpcService> _logger;
    private readonly TimeProvider _time;
    private readonly CancellationToken _stopping;

    public MailboxRpcService(MessageService messages, TriggerService triggers, ReviewService reviews, TimeProvider time, ILogger<MailboxRpcService> logger, IHostApplicationLifetime? lifetime = null)
    {
        _messages = messages;
        _triggers = triggers;
        _reviews = reviews;
        _time = time;
        _logger = logger;
        _stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
    }

    public override Task<SendResponse> Send(SendRequest request, ServerCallContext context) => Call(context, request, _messages.SendAsync);

    public override Task<SendBatchResponse> SendBatch(SendBatchRequest request, ServerCallContext context) => Call(context, request, _messages.SendBatchAsync);

    public override Task<InboxResponse> Inbox(InboxRequest request, ServerCallContext context) => Call(context, request, _messages.InboxAsync);

    public override Task<AckResponse> Ack(AckRequest request, ServerCallContext context) => Call(context, request, _messages.AckAsync);

    public override Task<TeamMembersResponse> TeamMembers(TeamMembersRequest request, ServerCallContext context) => Call(context, request, _messages.TeamMembersAsync);

    public override Task<TimeTrigger> TimeTriggerSet(TimeTriggerSetRequest request, ServerCallContext context) => Call(context, request, _triggers.TimeTriggerSetAsync);

    public override Task<TimeTriggerListResponse> TimeTriggerList(TimeTriggerListRequest request, ServerCallContext context) => Call(context, request, _triggers.TimeTriggerListAsync);

    public override Task<TimeTrigger> TimeTriggerCancel(TimeTriggerCancelRequest request, ServerCallContext context) => Call(context, request, _triggers.TimeTriggerCancelAsync);

    public override Task<PermissionReview> PermissionRequest(PermissionRequestRequest request, ServerCallContext context) => Call(context, request, _reviews.PermissionRequestAsync);

    public override Task<PermissionReview> PermissionRespond(PermissionRespondRequest request, ServerCallContext context) => Call(context, request, _reviews.PermissionRespondAsync);

    public override Task<PermissionListResponse> PermissionList(PermissionListRequest request, ServerCallContext context) => Call(context, request, _reviews.PermissionListAsync);

    public override Task<PermissionReview> PermissionWait(PermissionWaitRequest request, ServerCallContext context) =>
        Call(context, request, (caller, r, ct) => _reviews.PermissionWaitAsync(caller, r, WaitBudget(context), ct, _stopping));

    private async Task<TResponse> Call<TRequest, TResponse>(ServerCallContext context, TRequest request, Func<CallerIdentity, TRequest, CancellationToken, Task<TResponse>> handler)
    {
        try
        {
            return await handler(context.GetCaller(), request, context.CancellationToken);
        }
        catch (MailboxException ex)
        {
            MailboxLog.CallRefused(_logger, context.Method, ex.Message);
            throw ex.ToRpcException();
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
            await _messages.WatchAsync(
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
            throw ex.ToRpcException();
        }
        catch (WatchOverflowException ex)
        {
            MailboxLog.WatchOverflow(_logger, request.ActorId, _messages.Options.WatchBuffer);
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
