using Mesh.Core.Auth;
using Mesh.Core.Protocol;
using Mesh.Hub.InternalApi;
using Mesh.Rpc;

namespace Mesh.Hub.Mailbox;

/// <summary>
/// <c>mesh.v1.Mailbox</c> on the hub's internal listener. The host's authenticator has already checked the token
/// (and, in mtls mode, that a node-signed token matches the client certificate); this layer resolves the acting
/// actor and maps refusals to gRPC status codes.
/// </summary>
public sealed class MailboxRpcService : IInternalRpcService
{
    private static readonly TimeSpan MaxPermissionWait = TimeSpan.FromSeconds(60);
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
        Definition = new RpcServiceBuilder(MailboxMethods.ServiceName)
            .Unary(MailboxMethods.Send, (r, c) => Call(c, r, _mailbox.SendAsync))
            .Unary(MailboxMethods.SendBatch, (r, c) => Call(c, r, _mailbox.SendBatchAsync))
            .Unary(MailboxMethods.Inbox, (r, c) => Call(c, r, _mailbox.InboxAsync))
            .Unary(MailboxMethods.Ack, (r, c) => Call(c, r, _mailbox.AckAsync))
            .ServerStreaming(MailboxMethods.Watch, WatchAsync)
            .Unary(MailboxMethods.TeamMembers, (r, c) => Call(c, r, _mailbox.TeamMembersAsync))
            .Unary(MailboxMethods.TimeTriggerSet, (r, c) => Call(c, r, _mailbox.TimeTriggerSetAsync))
            .Unary(MailboxMethods.TimeTriggerList, (r, c) => Call(c, r, _mailbox.TimeTriggerListAsync))
            .Unary(MailboxMethods.TimeTriggerCancel, (r, c) => Call(c, r, _mailbox.TimeTriggerCancelAsync))
            .Unary(MailboxMethods.PermissionRequest, (r, c) => Call(c, r, _mailbox.PermissionRequestAsync))
            .Unary(MailboxMethods.PermissionRespond, (r, c) => Call(c, r, _mailbox.PermissionRespondAsync))
            .Unary(MailboxMethods.PermissionList, (r, c) => Call(c, r, _mailbox.PermissionListAsync))
            .Unary(MailboxMethods.PermissionWait, (r, c) => Call(c, r, (caller, req, ct) => _mailbox.PermissionWaitAsync(caller, req, WaitBudget(c), ct, _stopping)))
            .Build();
    }

    public RpcServiceDefinition Definition { get; }

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

    private async ValueTask<TResponse> Call<TRequest, TResponse>(RpcCallContext context, TRequest request, Func<CallerIdentity, TRequest, CancellationToken, Task<TResponse>> handler)
    {
        try
        {
            return await handler(context.GetCaller(), request, context.CancellationToken);
        }
        catch (MailboxException ex)
        {
            MailboxLog.CallRefused(_logger, context.Method, ex.Message);
            throw new RpcException(ToStatusCode(ex.Error), ex.Message);
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.Data.Sqlite.SqliteException)
        {
            throw new RpcException(StatusCode.Unavailable, ex.Message);
        }
    }

    private async Task WatchAsync(WatchRequest request, IRpcStreamWriter<MailboxMessage> stream, RpcCallContext context)
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
                    return stream.WriteAsync(message, flush, ct);
                },
                watchEnd.Token,
                () => wrote ? Task.CompletedTask : context.WriteResponseHeadersAsync());
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(StatusCode.Unavailable, "the hub is shutting down; reconnect and resume with after_id");
        }
        catch (MailboxException ex)
        {
            MailboxLog.CallRefused(_logger, context.Method, ex.Message);
            throw new RpcException(ToStatusCode(ex.Error), ex.Message);
        }
        catch (WatchOverflowException ex)
        {
            MailboxLog.WatchOverflow(_logger, request.ActorId, _mailbox.Options.WatchBuffer);
            throw new RpcException(StatusCode.Unavailable, ex.Message);
        }
    }

    private TimeSpan WaitBudget(RpcCallContext context)
    {
        if (context.Deadline == DateTime.MaxValue)
            return TimeSpan.FromSeconds(30);
        var left = context.Deadline - _time.GetUtcNow().UtcDateTime - TimeSpan.FromMilliseconds(500);
        return left < TimeSpan.Zero ? TimeSpan.Zero : left > MaxPermissionWait ? MaxPermissionWait : left;
    }
}
