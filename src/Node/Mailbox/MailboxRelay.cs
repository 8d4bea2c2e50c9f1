using Mesh.Core.Protocol;
using Mesh.Node.Connection;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using MailboxGrpc = Mesh.Core.Protocol.Mailbox;

namespace Mesh.Node.Mailbox;

/// <summary>
/// <c>mesh.v1.Mailbox</c> on a node's local listener, for agents placed on the node. Every call is forwarded to the
/// hub over the node's connection with the caller's own token (the hub authorizes it: a node-signed actor token only
/// for actors placed on this node). When the hub is unreachable, Send still succeeds if the token is one this node
/// signed: the message goes to the local <see cref="MailboxOutbox"/> (on disk before the answer) and
/// <see cref="FlushAsync"/> delivers it later with the node's token. Sends carry an idempotency key from the first
/// attempt, so a replay after a lost answer stores nothing twice. While the outbox holds messages, new sends queue
/// behind them to keep their order.
/// </summary>
public sealed class MailboxRelay : MailboxGrpc.MailboxBase, IHubConnectionListener, IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private readonly Func<IHubConnection?> _hub;
    private readonly MailboxOutbox _outbox;
    private readonly NodeTokenValidator _tokens;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private volatile TaskCompletionSource _queued = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MailboxRelay(IHubConnection hub, MailboxOutbox outbox, NodeTokenValidator tokens, TimeProvider time, ILogger<MailboxRelay> logger)
        : this(() => hub, hub.NodeId, outbox, tokens, time, logger)
    {
    }

    /// <param name="hub">The node's current connection (it is replaced on reconnect and certificate renewal); null while there is none, which counts as unreachable.</param>
    public MailboxRelay(Func<IHubConnection?> hub, string nodeId, MailboxOutbox outbox, NodeTokenValidator tokens, TimeProvider time, ILogger<MailboxRelay> logger)
    {
        _hub = hub;
        NodeId = nodeId;
        _outbox = outbox;
        _tokens = tokens;
        _time = time;
        _logger = logger;
    }

    public string NodeId { get; }

    public int QueuedCount => _outbox.Count();

    /// <summary>Delivers queued sends in order until the outbox is empty or the hub is unreachable; returns how many were delivered.</summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        await _flushGate.WaitAsync(cancellationToken);
        try
        {
            var delivered = 0;
            while (true)
            {
                var batch = _outbox.Pending(100);
                if (batch.Count == 0)
                    return delivered;
                foreach (var entry in batch)
                {
                    try
                    {
                        var hub = Hub();
                        var response = await hub.Mailbox.SendAsync(entry.Request, hub.Call(DefaultTimeout, cancellationToken));
                        _outbox.Delivered(entry.Seq);
                        delivered++;
                        MailboxRelayLog.Delivered(_logger, entry.Seq, response.MessageId);
                    }
                    catch (RpcException ex) when (IsTransient(ex.StatusCode) || ex.StatusCode == StatusCode.Unauthenticated)
                    {
                        _outbox.Retry(entry.Seq, ex.Status.Detail);
                        MailboxRelayLog.StillUnreachable(_logger, entry.Seq, ex.Status.Detail);
                        return delivered;
                    }
                    catch (RpcException ex)
                    {
                        _outbox.Failed(entry.Seq, $"{ex.StatusCode}: {ex.Status.Detail}");
                        MailboxRelayLog.Refused(_logger, entry.Seq, entry.ActorId, ex.StatusCode, ex.Status.Detail);
                    }
                }
            }
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <summary>Makes <see cref="RunFlusherAsync"/> try now (e.g. the hub connection just came back).</summary>
    public void WakeFlusher() => _queued.TrySetResult();

    void IHubConnectionListener.OnConnected() => WakeFlusher();

    /// <summary>Flushes whenever something is queued, and retries every <paramref name="retryEvery"/> until stopped.</summary>
    public async Task RunFlusherAsync(TimeSpan retryEvery, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var queued = _queued.Task;
            try
            {
                await FlushAsync(cancellationToken);
                await Task.WhenAny(queued, Task.Delay(retryEvery, _time, cancellationToken));
                if (queued.IsCompleted)
                    _queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The outbox keeps the messages; a failing disk or store must not end delivery for the node's lifetime.
                MailboxRelayLog.FlushFailed(_logger, ex, retryEvery);
                try
                {
                    await Task.Delay(retryEvery, _time, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    public override async Task<SendResponse> Send(SendRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.IdempotencyKey))
            request.IdempotencyKey = $"relay:{NodeId}:{Guid.NewGuid():N}";
        if (_outbox.Count() > 0)
            return await QueueAsync(request, context, "earlier messages are still queued");
        try
        {
            return await Hub().Mailbox.SendAsync(request, ForwardOptions(context));
        }
        catch (RpcException ex) when ((IsTransient(ex.StatusCode) || ex.StatusCode == StatusCode.Cancelled) && !context.CancellationToken.IsCancellationRequested)
        {
            // Cancelled without the caller cancelling: the connection was replaced under the call (renewal, reconnect).
            return await QueueAsync(request, context, ex.Status.Detail);
        }
    }

    private async Task<SendResponse> QueueAsync(SendRequest request, ServerCallContext context, string why)
    {
        var (actor, failure) = await _tokens.CheckAsync(context.RequestHeaders.GetValue("authorization"));
        if (actor is null)
            throw new RpcException(new Status(StatusCode.Unavailable, $"the hub is unreachable ({why}) and this node cannot queue for this token ({failure}); retry later"));
        if (request.ActorId.Length > 0 && request.ActorId != actor)
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"this token belongs to actor '{actor}'; it cannot send as '{request.ActorId}'."));
        if (request.TargetCase == SendRequest.TargetOneofCase.None)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a message needs a recipient: --to-actor-id ID or --channel-id TEAM."));
        request.ActorId = actor;
        var seq = _outbox.Enqueue(actor, request, _time.GetUtcNow());
        MailboxRelayLog.Queued(_logger, seq, actor, why);
        _queued.TrySetResult();
        return new SendResponse { Queued = true, Status = MessageStatus.Pending };
    }

    public override Task<SendBatchResponse> SendBatch(SendBatchRequest request, ServerCallContext context) => Forward(context, (hub, o) => hub.SendBatchAsync(request, o));

    public override Task<InboxResponse> Inbox(InboxRequest request, ServerCallContext context) => Forward(context, (hub, o) => hub.InboxAsync(request, o));

    public override Task<AckResponse> Ack(AckRequest request, ServerCallContext context) => Forward(context, (hub, o) => hub.AckAsync(request, o));

    public override Task<TeamMembersResponse> TeamMembers(TeamMembersRequest request, ServerCallContext context) => Forward(context, (hub, o) => hub.TeamMembersAsync(request, o));

    public override Task<TimeTrigger> TimeTriggerSet(TimeTriggerSetRequest request, ServerCallContext context) => Forward(context, (hub, o) => hub.TimeTriggerSetAsync(request, o));

    public override Task<TimeTriggerListResponse> TimeTriggerList(TimeTriggerListRequest request, ServerCallContext context) => Forward(context, (hub, o) => hub.TimeTriggerListAsync(request, o));

    public override Task<TimeTrigger> TimeTriggerCancel(TimeTriggerCancelRequest request, ServerCallContext context) => Forward(context, (hub, o) => hub.TimeTriggerCancelAsync(request, o));

    public override Task<PermissionReview> PermissionRequest(PermissionRequestRequest request, ServerCallContext context) => Forward(context, (hub, o) => hub.PermissionRequestAsync(request, o));

    public override Task<PermissionReview> PermissionRespond(PermissionRespondRequest request, ServerCallContext context) => Forward(context, (hub, o) => hub.PermissionRespondAsync(request, o));

    public override Task<PermissionListResponse> PermissionList(PermissionListRequest request, ServerCallContext context) => Forward(context, (hub, o) => hub.PermissionListAsync(request, o));

    public override Task<PermissionReview> PermissionWait(PermissionWaitRequest request, ServerCallContext context) => Forward(context, (hub, o) => hub.PermissionWaitAsync(request, o));

    public override async Task Watch(WatchRequest request, IServerStreamWriter<MailboxMessage> responseStream, ServerCallContext context)
    {
        using var call = Hub().Mailbox.Watch(request, ForwardOptions(context, streaming: true));
        await call.ResponseHeadersAsync;
        await context.WriteResponseHeadersAsync(new Metadata());
        while (await call.ResponseStream.MoveNext(context.CancellationToken))
            await responseStream.WriteAsync(call.ResponseStream.Current, context.CancellationToken);
    }

    private async Task<TResponse> Forward<TResponse>(ServerCallContext context, Func<MailboxGrpc.MailboxClient, CallOptions, AsyncUnaryCall<TResponse>> call)
    {
        try
        {
            return await call(Hub().Mailbox, ForwardOptions(context));
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && !context.CancellationToken.IsCancellationRequested)
        {
            // Not retried: the hub may have done it (an inbox with auto-ack). The caller learns it may retry.
            throw new RpcException(new Status(StatusCode.Unavailable, "the node's connection to the hub was replaced during the call (certificate renewal or reconnect); retry"));
        }
    }

    private CallOptions ForwardOptions(ServerCallContext context, bool streaming = false)
    {
        var headers = new Metadata();
        if (context.RequestHeaders.GetValue("authorization") is { } authorization)
            headers.Add("authorization", authorization);
        DateTime? deadline = context.Deadline == DateTime.MaxValue ? (streaming ? null : _time.GetUtcNow().UtcDateTime + DefaultTimeout) : context.Deadline;
        return new CallOptions(headers, deadline, context.CancellationToken);
    }

    public void Dispose() => _flushGate.Dispose();

    private IHubConnection Hub() => _hub() ?? throw new RpcException(new Status(StatusCode.Unavailable, "this node is not connected to the hub right now"));

    private static bool IsTransient(StatusCode code) => code is StatusCode.Unavailable or StatusCode.DeadlineExceeded;
}

internal static partial class MailboxRelayLog
{
    [LoggerMessage(EventId = 6101, EventName = "RelayQueued", Level = LogLevel.Information, Message = "Queued send {Seq} of actor {ActorId} in the node outbox: {Reason}.")]
    public static partial void Queued(ILogger logger, long seq, string actorId, string reason);

    [LoggerMessage(EventId = 6102, EventName = "RelayDelivered", Level = LogLevel.Information, Message = "Delivered queued send {Seq} to the hub as message {MessageId}.")]
    public static partial void Delivered(ILogger logger, long seq, ulong messageId);

    [LoggerMessage(EventId = 6103, EventName = "RelayStillUnreachable", Level = LogLevel.Debug, Message = "Queued send {Seq} waits: the hub is still unreachable ({Detail}).")]
    public static partial void StillUnreachable(ILogger logger, long seq, string detail);

    [LoggerMessage(EventId = 6104, EventName = "RelayRefused", Level = LogLevel.Warning, Message = "The hub refused queued send {Seq} of actor {ActorId} ({Code}: {Detail}); it stays in the outbox marked failed.")]
    public static partial void Refused(ILogger logger, long seq, string actorId, StatusCode code, string detail);

    [LoggerMessage(EventId = 6105, EventName = "RelayFlushFailed", Level = LogLevel.Error, Message = "Delivering the node outbox failed; retrying in {Delay}.")]
    public static partial void FlushFailed(ILogger logger, Exception exception, TimeSpan delay);
}
