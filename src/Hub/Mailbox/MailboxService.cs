using System.Text;
using System.Text.Json;
using Mesh.Core.Auth;
using Mesh.Core.Protocol;

namespace Mesh.Hub.Mailbox;

/// <summary>
/// The mailbox capability for one authenticated caller: authorization, input checks and the store. The gRPC service
/// and the admin REST API are thin layers over it.
/// </summary>
public sealed partial class MailboxService
{
    public const string DefaultChannel = "default";
    public const int MaxInboxLimit = 1000;
    private const int MaxIdempotencyKeyLength = 256;
    private const int MaxNameLength = 128;

    private readonly IMailboxStore _store;
    private readonly MailboxNotifier _notifier;
    private readonly WatchLimiter _watches;
    private readonly ReviewWaiters _reviews;
    private readonly MailboxOptions _options;
    private readonly TimeProvider _time;

    public MailboxService(IMailboxStore store, MailboxNotifier notifier, ReviewWaiters reviews, MailboxOptions options, TimeProvider time)
    {
        _store = store;
        _notifier = notifier;
        _watches = new WatchLimiter(options);
        _reviews = reviews;
        _options = options;
        _time = time;
    }

    public IMailboxStore Store => _store;

    public MailboxOptions Options => _options;

    public ActingActor Resolve(CallerIdentity caller, string? actorId, bool rootMayActAsItself = false) =>
        ActingActor.Resolve(_store, caller, actorId, rootMayActAsItself);

    public async Task<SendResponse> SendAsync(CallerIdentity caller, SendRequest request, CancellationToken cancellationToken)
    {
        var message = Prepare(caller, request);
        return ToResponse(await _store.SendAsync(message, cancellationToken));
    }

    public const int MaxBatch = 1000;

    /// <summary>Checks each item like <see cref="SendAsync"/> and stores the valid ones in one transaction.</summary>
    public async Task<SendBatchResponse> SendBatchAsync(CallerIdentity caller, SendBatchRequest request, CancellationToken cancellationToken)
    {
        if (request.Messages.Count is 0 or > MaxBatch)
            throw new MailboxException(MailboxError.InvalidArgument, $"a batch holds 1 to {MaxBatch} messages; got {request.Messages.Count}.");
        var response = new SendBatchResponse();
        var valid = new List<NewMessage>(request.Messages.Count);
        var slots = new List<SendBatchResult>(request.Messages.Count);
        foreach (var item in request.Messages)
        {
            var result = new SendBatchResult();
            response.Results.Add(result);
            try
            {
                valid.Add(Prepare(caller, item));
                slots.Add(result);
            }
            catch (MailboxException ex)
            {
                result.ErrorCode = ErrorCode(ex.Error);
                result.Error = ex.Message;
            }
        }

        if (valid.Count > 0)
        {
            var stored = await _store.SendManyAsync(valid, cancellationToken);
            for (var i = 0; i < stored.Count; i++)
                slots[i].Response = ToResponse(stored[i]);
        }

        return response;
    }

    /// <summary>The gRPC name of a refusal, for per-item results.</summary>
    public static string ErrorCode(MailboxError error) => error switch
    {
        MailboxError.InvalidArgument => "INVALID_ARGUMENT",
        MailboxError.NotFound => "NOT_FOUND",
        MailboxError.PermissionDenied => "PERMISSION_DENIED",
        MailboxError.AlreadyExists => "ALREADY_EXISTS",
        MailboxError.FailedPrecondition => "FAILED_PRECONDITION",
        MailboxError.ResourceExhausted => "RESOURCE_EXHAUSTED",
        _ => "UNKNOWN",
    };

    private static SendResponse ToResponse(SendResult result)
    {
        var response = new SendResponse { MessageId = result.MessageIds[0], Duplicate = result.Duplicate, Status = result.Status };
        response.MessageIds.Add(result.MessageIds);
        response.Recipients.Add(result.Recipients);
        return response;
    }

    private NewMessage Prepare(CallerIdentity caller, SendRequest request)
    {
        var sender = Resolve(caller, request.ActorId, rootMayActAsItself: true);
        CheckPayload(request.Payload, request.PayloadKind);
        var channel = CheckName(request.Channel, "channel") ?? DefaultChannel;
        var runId = CheckName(request.RunId, "run_id");
        var key = string.IsNullOrEmpty(request.IdempotencyKey) ? null : request.IdempotencyKey;
        if (key is { Length: > MaxIdempotencyKeyLength })
            throw new MailboxException(MailboxError.InvalidArgument, $"the idempotency key is {key.Length} characters; at most {MaxIdempotencyKeyLength} are allowed.");

        string[] recipients;
        string? teamId = null;
        switch (request.TargetCase)
        {
            case SendRequest.TargetOneofCase.ToActorId:
                if (_store.FindActor(request.ToActorId) is null)
                    throw new MailboxException(MailboxError.NotFound, $"no actor '{request.ToActorId}' to send to. List actors with GET /api/admin/actors or check the id.");
                recipients = [request.ToActorId];
                break;
            case SendRequest.TargetOneofCase.TeamId:
                teamId = request.TeamId;
                var members = _store.TeamMembers(teamId);
                if (members.Count == 0)
                    throw new MailboxException(MailboxError.NotFound, $"no team '{teamId}' (a team exists while it has members).");
                if (!sender.IsRoot && !string.Equals(sender.Actor!.TeamId, teamId, StringComparison.Ordinal))
                    throw new MailboxException(MailboxError.PermissionDenied, $"actor '{sender.Id}' is not a member of team '{teamId}'; only members post to a team channel.");
                recipients = members.Where(m => m.Id != sender.Id).Select(m => m.Id).ToArray();
                if (recipients.Length == 0)
                    throw new MailboxException(MailboxError.FailedPrecondition, $"team '{teamId}' has no member besides the sender.");
                break;
            default:
                throw new MailboxException(MailboxError.InvalidArgument, "a message needs a recipient: --to-actor-id ID or --channel-id TEAM.");
        }

        return new NewMessage(sender.Id, recipients, teamId, runId, channel, request.Payload, request.PayloadKind, key);
    }

    public async Task<InboxResponse> InboxAsync(CallerIdentity caller, InboxRequest request, CancellationToken cancellationToken)
    {
        var reader = Resolve(caller, request.ActorId);
        // Compared before the cast: a uint of 2^31 or more would turn negative, which SQLite reads as "no limit".
        if (request.Limit > MaxInboxLimit)
            throw new MailboxException(MailboxError.InvalidArgument, $"--limit {request.Limit} is too large; at most {MaxInboxLimit} messages per call (page with --after-id).");
        var limit = request.Limit == 0 ? 100 : (int)request.Limit;
        if (request.AutoAck && request.IncludeDelivered)
            throw new MailboxException(MailboxError.InvalidArgument, "--auto-ack and --include-delivered do not go together: auto-ack hands out pending messages only.");
        var query = new InboxQuery(reader.Id, limit, request.AfterId, request.IncludeDelivered, CheckName(request.RunId, "run_id"), CheckName(request.Channel, "channel"));
        var messages = request.AutoAck
            ? await _store.ClaimAsync(query, cancellationToken)
            : await _store.ReadAsync(query, cancellationToken);
        var response = new InboxResponse { PendingCount = (ulong)await _store.CountPendingAsync(reader.Id, cancellationToken) };
        response.Messages.Add(messages);
        return response;
    }

    public async Task<AckResponse> AckAsync(CallerIdentity caller, AckRequest request, CancellationToken cancellationToken)
    {
        var reader = Resolve(caller, request.ActorId);
        if (request.MessageIds.Count == 0)
            throw new MailboxException(MailboxError.InvalidArgument, "nothing to ack: give --message-id ID.");
        if (request.MessageIds.Count > MaxInboxLimit * 10)
            throw new MailboxException(MailboxError.InvalidArgument, $"at most {MaxInboxLimit * 10} ids per ack.");
        var result = await _store.AckAsync(reader.Id, request.MessageIds, cancellationToken);
        return new AckResponse { Acked = (uint)result.Acked, AlreadyDelivered = (uint)result.AlreadyDelivered };
    }

    /// <summary>
    /// Streams the actor's pending messages after <see cref="WatchRequest.AfterId"/>, then new ones as they are committed,
    /// until cancelled. The live subscription starts before the backlog is read, so nothing falls between the two.
    /// </summary>
    /// <param name="ready">Called once the backlog is written and the live feed is on (the gRPC layer sends the response headers then).</param>
    public async Task WatchAsync(CallerIdentity caller, WatchRequest request, Func<MailboxMessage, bool, CancellationToken, ValueTask> write, CancellationToken cancellationToken, Func<Task>? ready = null)
    {
        var reader = Resolve(caller, request.ActorId);
        var runId = CheckName(request.RunId, "run_id");
        var channel = CheckName(request.Channel, "channel");
        using var place = _watches.Acquire(reader.Id);
        using var subscription = _notifier.Subscribe(reader.Id);
        var last = request.AfterId;
        while (true)
        {
            var backlog = await _store.ReadAsync(new InboxQuery(reader.Id, 500, last, false, runId, channel), cancellationToken);
            for (var i = 0; i < backlog.Count; i++)
                await write(backlog[i], i == backlog.Count - 1, cancellationToken);
            if (backlog.Count > 0)
                last = backlog[^1].Id; // the live feed may repeat what the backlog already sent: it skips up to here
            if (backlog.Count < 500)
                break;
        }

        if (ready is not null)
            await ready();
        var live = subscription.Reader;
        while (await live.WaitToReadAsync(cancellationToken))
        {
            while (live.TryRead(out var message))
            {
                if (message.Id <= last || (runId is not null && message.RunId != runId) || (channel is not null && message.Channel != channel))
                    continue;
                last = message.Id;
                await write(message, live.Count == 0, cancellationToken);
            }
        }
    }

    private void CheckPayload(string payload, PayloadKind kind)
    {
        var bytes = Encoding.UTF8.GetByteCount(payload);
        if (bytes > _options.MaxPayloadBytes)
            throw new MailboxException(MailboxError.ResourceExhausted, $"the payload is {bytes} bytes; the limit is {_options.MaxPayloadBytes} ([mailbox] max_payload_bytes). Send a path or a link instead.");
        if (kind == PayloadKind.Json)
        {
            try
            {
                using var _ = JsonDocument.Parse(payload);
            }
            catch (JsonException ex)
            {
                throw new MailboxException(MailboxError.InvalidArgument, $"the payload is not valid JSON: {ex.Message}");
            }
        }
        else if (kind != PayloadKind.Text)
        {
            throw new MailboxException(MailboxError.InvalidArgument, $"unknown payload kind {(int)kind}.");
        }
    }

    private static string? CheckName(string? value, string what)
    {
        if (string.IsNullOrEmpty(value))
            return null;
        if (value.Length > MaxNameLength || value.Any(char.IsControl))
            throw new MailboxException(MailboxError.InvalidArgument, $"{what} must be at most {MaxNameLength} printable characters.");
        return value;
    }
}
