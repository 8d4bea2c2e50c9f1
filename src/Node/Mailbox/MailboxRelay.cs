using Mesh.Core.Protocol;
using Mesh.Node.Connection;
using Mesh.Rpc;
using Microsoft.Extensions.Logging;

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
public sealed class MailboxRelay : IDisposable
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
        Definition = new RpcServiceBuilder(MailboxMethods.ServiceName)
            .UsePreHandler(RequireWellFormedToken)
            .Unary(MailboxMethods.Send, SendAsync)
            .Unary(MailboxMethods.SendBatch, (r, c) => Forward(MailboxMethods.SendBatch, r, c))
            .Unary(MailboxMethods.Inbox, (r, c) => Forward(MailboxMethods.Inbox, r, c))
            .Unary(MailboxMethods.Ack, (r, c) => Forward(MailboxMethods.Ack, r, c))
            .ServerStreaming(MailboxMethods.Watch, WatchAsync)
            .Unary(MailboxMethods.TeamMembers, (r, c) => Forward(MailboxMethods.TeamMembers, r, c))
            .Unary(MailboxMethods.TimeTriggerSet, (r, c) => Forward(MailboxMethods.TimeTriggerSet, r, c))
            .Unary(MailboxMethods.TimeTriggerList, (r, c) => Forward(MailboxMethods.TimeTriggerList, r, c))
            .Unary(MailboxMethods.TimeTriggerCancel, (r, c) => Forward(MailboxMethods.TimeTriggerCancel, r, c))
            .Unary(MailboxMethods.PermissionRequest, (r, c) => Forward(MailboxMethods.PermissionRequest, r, c))
            .Unary(MailboxMethods.PermissionRespond, (r, c) => Forward(MailboxMethods.PermissionRespond, r, c))
            .Unary(MailboxMethods.PermissionList, (r, c) => Forward(MailboxMethods.PermissionList, r, c))
            .Unary(MailboxMethods.PermissionWait, (r, c) => Forward(MailboxMethods.PermissionWait, r, c))
            .Build();
    }

    /// <summary>Map it on the node's local listener: <c>app.MapRpcService(relay.Definition)</c>.</summary>
    public RpcServiceDefinition Definition { get; }

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
                        var response = await hub.Channel.UnaryAsync(MailboxMethods.Send, entry.Request, hub.Call(DefaultTimeout, cancellationToken));
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

    // A missing or malformed token is refused here, with how to get one, instead of costing a hub round trip (or,
    // while the hub is away, looking like an outage). Well-formed tokens are judged by the hub (or, offline, by
    // NodeTokenValidator when a send is queued).
    private static ValueTask RequireWellFormedToken(RpcCallContext context)
    {
        if (NodeTokenValidator.MalformedReason(context.GetRequestHeader("authorization")) is { } reason)
            throw new RpcException(StatusCode.Unauthenticated, $"{reason}: set MESH_ACTOR_TOKEN to an actor token (on this node: mesh actor-token --config <node.toml> --actor-id ID)");
        return ValueTask.CompletedTask;
    }

    private async ValueTask<SendResponse> SendAsync(SendRequest request, RpcCallContext context)
    {
        if (string.IsNullOrEmpty(request.IdempotencyKey))
            request.IdempotencyKey = $"relay:{NodeId}:{Guid.NewGuid():N}";
        if (_outbox.Count() > 0)
            return await QueueAsync(request, context, "earlier messages are still queued");
        try
        {
            return await Hub().Channel.UnaryAsync(MailboxMethods.Send, request, ForwardOptions(context));
        }
        catch (RpcException ex) when (IsTransient(ex.StatusCode) && !context.CancellationToken.IsCancellationRequested)
        {
            return await QueueAsync(request, context, ex.Status.Detail);
        }
    }

    private async Task<SendResponse> QueueAsync(SendRequest request, RpcCallContext context, string why)
    {
        var (actor, failure) = await _tokens.CheckAsync(context.GetRequestHeader("authorization"));
        if (actor is null)
            throw new RpcException(StatusCode.Unavailable, $"the hub is unreachable ({why}) and this node cannot queue for this token ({failure}); retry later");
        if (request.ActorId.Length > 0 && request.ActorId != actor)
            throw new RpcException(StatusCode.PermissionDenied, $"this token belongs to actor '{actor}'; it cannot send as '{request.ActorId}'.");
        if (request.TargetCase == SendRequest.TargetOneofCase.None)
            throw new RpcException(StatusCode.InvalidArgument, "a message needs a recipient: --to-actor-id ID or --channel-id TEAM.");
        request.ActorId = actor;
        var seq = _outbox.Enqueue(actor, request, _time.GetUtcNow());
        MailboxRelayLog.Queued(_logger, seq, actor, why);
        _queued.TrySetResult();
        return new SendResponse { Queued = true, Status = MessageStatus.Pending };
    }

    private async ValueTask<TResponse> Forward<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, RpcCallContext context)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>
        where TResponse : class, Google.Protobuf.IMessage<TResponse> =>
        await Hub().Channel.UnaryAsync(method, request, ForwardOptions(context));

    private async Task WatchAsync(WatchRequest request, IRpcStreamWriter<MailboxMessage> stream, RpcCallContext context)
    {
        using var call = Hub().Channel.ServerStreaming(MailboxMethods.Watch, request, ForwardOptions(context, streaming: true));
        await call.ResponseHeadersAsync;
        await context.WriteResponseHeadersAsync();
        while (await call.ResponseStream.MoveNextAsync(context.CancellationToken))
            await stream.WriteAsync(call.ResponseStream.Current, context.CancellationToken);
    }

    private static CallOptions ForwardOptions(RpcCallContext context, bool streaming = false)
    {
        var headers = new Metadata();
        if (context.GetRequestHeader("authorization") is { } authorization)
            headers.Add("authorization", authorization);
        DateTime? deadline = context.Deadline == DateTime.MaxValue ? (streaming ? null : DateTime.UtcNow + DefaultTimeout) : context.Deadline;
        return new CallOptions(headers, deadline, context.CancellationToken);
    }

    public void Dispose() => _flushGate.Dispose();

    private IHubConnection Hub() => _hub() ?? throw new RpcException(StatusCode.Unavailable, "this node is not connected to the hub right now");

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
