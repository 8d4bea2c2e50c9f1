using Mesh.Core.Auth;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Messages;

/// <summary>
/// Messages for one authenticated caller: who it acts as, input checks and the store (Send, SendBatch, Inbox, Ack,
/// Watch, TeamMembers), and the read model the Mailboxes pages and the REST API show. The gRPC service and the
/// REST API are thin layers over it.
/// </summary>
public sealed class MessageService(IMessageStore store, ActorService actors, MailboxNotifier notifier, MailboxOptions options, MessageMetrics metrics, IAgentRouter? router = null)
{
    public const string DefaultChannel = "default";
    public const int MaxInboxLimit = 1000;
    public const int MaxBatch = 1000;
    private const int MaxIdempotencyKeyLength = 256;
    private readonly WatchLimiter _watches = new(options);

    public MailboxOptions Options => options;

    public async Task<SendResponse> SendAsync(CallerIdentity caller, SendRequest request, CancellationToken cancellationToken)
    {
        var message = Prepare(caller, request);
        var route = await RouteAsync(request, cancellationToken);
        if (route is null)
            return ToResponse(await store.SendAsync(message, cancellationToken));
        var result = await store.SendAsync(Routed(message, route), cancellationToken);
        return await ToResponseAsync(result, route, cancellationToken);
    }

    private static NewMessage Routed(NewMessage message, AgentRoute route) =>
        message with { Recipients = [route.Recipient], ConversationId = route.ConversationId, AffinityNotice = route.RecipientNotice };

    /// <summary>For a message to an agent: the run it goes to (null for every other target).</summary>
    private async Task<AgentRoute?> RouteAsync(SendRequest request, CancellationToken cancellationToken) =>
        request.TargetCase == SendRequest.TargetOneofCase.ToAgentId
            ? await router!.RouteAsync(request.ToAgentId, MailboxInput.NullIfEmpty(request.ConversationId), cancellationToken)
            : null;

    private async Task<SendResponse> ToResponseAsync(SendResult result, AgentRoute? route, CancellationToken cancellationToken)
    {
        var response = ToResponse(result);
        if (route is null)
            return response;
        // A repeat of an earlier send (same key) went where the first one went; only a new message is a routing decision.
        if (!result.Duplicate)
        {
            await router!.RenewAsync(route, cancellationToken);
            response.AffinityBroken = route.MovedFrom is not null;
            response.AffinityNotice = route.Notice ?? string.Empty;
        }

        response.HandledBy = result.Recipients[0];
        return response;
    }

    /// <summary>Checks each item like <see cref="SendAsync"/> and stores the valid ones in one transaction.</summary>
    public async Task<SendBatchResponse> SendBatchAsync(CallerIdentity caller, SendBatchRequest request, CancellationToken cancellationToken)
    {
        if (request.Messages.Count is 0 or > MaxBatch)
            throw new MailboxException(MailboxError.InvalidArgument, $"a batch holds 1 to {MaxBatch} messages; got {request.Messages.Count}.");
        var response = new SendBatchResponse();
        var valid = new List<NewMessage>(request.Messages.Count);
        var slots = new List<SendBatchResult>(request.Messages.Count);
        var routes = new List<AgentRoute?>(request.Messages.Count);
        foreach (var item in request.Messages)
        {
            var result = new SendBatchResult();
            response.Results.Add(result);
            try
            {
                var message = Prepare(caller, item);
                var route = await RouteAsync(item, cancellationToken);
                valid.Add(route is null ? message : Routed(message, route));
                routes.Add(route);
                slots.Add(result);
            }
            catch (MailboxException ex)
            {
                result.ErrorCode = MailboxErrors.Code(ex.Error);
                result.Error = ex.Message;
            }
        }

        if (valid.Count > 0)
        {
            var stored = await store.SendManyAsync(valid, cancellationToken);
            for (var i = 0; i < stored.Count; i++)
                slots[i].Response = await ToResponseAsync(stored[i], routes[i], cancellationToken);
        }

        return response;
    }

    private static SendResponse ToResponse(SendResult result)
    {
        var response = new SendResponse { MessageId = result.MessageIds[0], Duplicate = result.Duplicate, Status = result.Status };
        response.MessageIds.Add(result.MessageIds);
        response.Recipients.Add(result.Recipients);
        return response;
    }

    private NewMessage Prepare(CallerIdentity caller, SendRequest request)
    {
        var sender = actors.Resolve(caller, request.ActorId, rootMayActAsItself: true);
        MailboxInput.CheckPayload(request.Payload, request.PayloadKind, options);
        var channel = MailboxInput.CheckName(request.Channel, "channel") ?? DefaultChannel;
        var runId = MailboxInput.CheckName(request.RunId, "run_id");
        var key = string.IsNullOrEmpty(request.IdempotencyKey) ? null : request.IdempotencyKey;
        if (key is { Length: > MaxIdempotencyKeyLength })
            throw new MailboxException(MailboxError.InvalidArgument, $"the idempotency key is {key.Length} characters; at most {MaxIdempotencyKeyLength} are allowed.");
        var conversation = MailboxInput.CheckName(request.ConversationId, "conversation_id");
        if (conversation is not null && request.TargetCase != SendRequest.TargetOneofCase.ToAgentId)
            throw ConversationOffAgent(request, conversation);

        string[] recipients;
        string? teamId = null;
        switch (request.TargetCase)
        {
            case SendRequest.TargetOneofCase.ToActorId:
                if (actors.Find(request.ToActorId) is null)
                    throw new MailboxException(MailboxError.NotFound, $"no actor '{request.ToActorId}' to send to. List actors with GET /api/admin/actors or check the id.");
                recipients = [request.ToActorId];
                break;
            case SendRequest.TargetOneofCase.TeamId:
                teamId = request.TeamId;
                var members = actors.TeamMembers(teamId);
                if (members.Count == 0)
                    throw new MailboxException(MailboxError.NotFound, $"no team '{teamId}' (a team exists while it has members).");
                if (!sender.IsRoot && !string.Equals(sender.Actor!.TeamId, teamId, StringComparison.Ordinal))
                    throw new MailboxException(MailboxError.PermissionDenied, $"actor '{sender.Id}' is not a member of team '{teamId}'; only members post to a team channel.");
                recipients = members.Where(m => m.Id != sender.Id).Select(m => m.Id).ToArray();
                if (recipients.Length == 0)
                    throw new MailboxException(MailboxError.FailedPrecondition, $"team '{teamId}' has no member besides the sender.");
                break;
            case SendRequest.TargetOneofCase.ToAgentId:
                if (router is null || !router.IsAgent(request.ToAgentId))
                {
                    throw router?.ReplicaOf(request.ToAgentId) is { } agent
                        ? new MailboxException(MailboxError.InvalidArgument, $"'{DisplayText.Truncate(request.ToAgentId)}' is a replica of agent '{agent}', not an agent: send to the agent (--to-agent {agent}) and the hub picks the replica, or to this replica's mailbox with --to-actor-id.")
                        : new MailboxException(MailboxError.NotFound, $"no agent '{DisplayText.Truncate(request.ToAgentId)}' to send to. List agents with GET /api/admin/agents; --to-actor-id sends to any actor.");
                }

                recipients = []; // the route picks the run once the message is checked
                break;
            default:
                throw new MailboxException(MailboxError.InvalidArgument, "a message needs a recipient: --to-actor-id ID, --to-agent AGENT or --channel-id TEAM.");
        }

        return new NewMessage(sender.Id, recipients, teamId, runId, channel, request.Payload, request.PayloadKind, key);
    }

    // Affinity is a routing decision among an agent's runs: a message addressed to one actor has none to make.
    private MailboxException ConversationOffAgent(SendRequest request, string conversation)
    {
        var to = request.TargetCase == SendRequest.TargetOneofCase.ToActorId ? request.ToActorId : null;
        if (to is not null && router?.ReplicaOf(to) is { } agent)
        {
            return new MailboxException(MailboxError.InvalidArgument,
                $"conversation_id '{DisplayText.Truncate(conversation)}' on a message to replica '{DisplayText.Truncate(to)}': a conversation is routed to a replica by the hub, so send it to the agent (--to-agent {agent} --conversation {DisplayText.Truncate(conversation)}), or drop the conversation id to write to this replica directly.");
        }

        if (to is not null && router?.IsAgent(to) is true)
        {
            return new MailboxException(MailboxError.InvalidArgument,
                $"conversation_id on a message to actor '{DisplayText.Truncate(to)}': to route a conversation among agent '{DisplayText.Truncate(to)}''s replicas, send with --to-agent {DisplayText.Truncate(to)} instead of --to-actor-id.");
        }

        return new MailboxException(MailboxError.InvalidArgument, "conversation_id is only for messages to an agent (--to-agent AGENT --conversation ID); a message to an actor or a team channel has no replica to route.");
    }

    public async Task<InboxResponse> InboxAsync(CallerIdentity caller, InboxRequest request, CancellationToken cancellationToken)
    {
        var reader = actors.Resolve(caller, request.ActorId);
        // Compared before the cast: a uint of 2^31 or more would turn negative, which SQLite reads as "no limit".
        if (request.Limit > MaxInboxLimit)
            throw new MailboxException(MailboxError.InvalidArgument, $"--limit {request.Limit} is too large; at most {MaxInboxLimit} messages per call (page with --after-id).");
        var limit = request.Limit == 0 ? 100 : (int)request.Limit;
        if (request.AutoAck && request.IncludeDelivered)
            throw new MailboxException(MailboxError.InvalidArgument, "--auto-ack and --include-delivered do not go together: auto-ack hands out pending messages only.");
        var query = new InboxQuery(reader.Id, limit, request.AfterId, request.IncludeDelivered, MailboxInput.CheckName(request.RunId, "run_id"), MailboxInput.CheckName(request.Channel, "channel"));
        IReadOnlyList<MailboxMessage> messages;
        if (request.AutoAck)
        {
            messages = await store.ClaimAsync(query, cancellationToken);
            metrics.Acknowledged(messages.Count);
        }
        else
        {
            messages = await store.ReadAsync(query, cancellationToken);
        }

        var response = new InboxResponse { PendingCount = (ulong)await store.CountPendingAsync(reader.Id, cancellationToken) };
        response.Messages.Add(messages);
        return response;
    }

    public async Task<AckResponse> AckAsync(CallerIdentity caller, AckRequest request, CancellationToken cancellationToken)
    {
        var reader = actors.Resolve(caller, request.ActorId);
        if (request.MessageIds.Count == 0)
            throw new MailboxException(MailboxError.InvalidArgument, "nothing to ack: give --message-id ID.");
        if (request.MessageIds.Count > MaxInboxLimit * 10)
            throw new MailboxException(MailboxError.InvalidArgument, $"at most {MaxInboxLimit * 10} ids per ack.");
        var result = await store.AckAsync(reader.Id, request.MessageIds, cancellationToken);
        metrics.Acknowledged(result.Acked);
        return new AckResponse { Acked = (uint)result.Acked, AlreadyDelivered = (uint)result.AlreadyDelivered };
    }

    /// <summary>
    /// Streams the actor's pending messages after <see cref="WatchRequest.AfterId"/>, then new ones as they are committed,
    /// until cancelled. The live subscription starts before the backlog is read, so nothing falls between the two.
    /// </summary>
    /// <param name="ready">Called once the backlog is written and the live feed is on (the gRPC layer sends the response headers then).</param>
    public async Task WatchAsync(CallerIdentity caller, WatchRequest request, Func<MailboxMessage, bool, CancellationToken, ValueTask> write, CancellationToken cancellationToken, Func<Task>? ready = null)
    {
        var reader = actors.Resolve(caller, request.ActorId);
        var runId = MailboxInput.CheckName(request.RunId, "run_id");
        var channel = MailboxInput.CheckName(request.Channel, "channel");
        using var place = _watches.Acquire(reader.Id);
        using var subscription = notifier.Subscribe(reader.Id);
        var last = await WriteBacklogAsync(reader.Id, request.AfterId, runId, channel, write, cancellationToken);
        if (ready is not null)
            await ready();
        var live = subscription.Reader;
        while (await live.WaitToReadAsync(cancellationToken))
        {
            while (live.TryRead(out var message))
            {
                if (ReferenceEquals(message, MailboxNotifier.WakeUp))
                {
                    subscription.Woken();
                    last = await WriteBacklogAsync(reader.Id, last, runId, channel, write, cancellationToken);
                    continue;
                }

                if (message.Id <= last || (runId is not null && message.RunId != runId) || (channel is not null && message.Channel != channel))
                    continue;
                last = message.Id;
                await write(message, live.Count == 0, cancellationToken);
            }
        }
    }

    /// <summary>Writes the stored messages after <paramref name="after"/>, a page at a time; returns the last id written (or <paramref name="after"/>).</summary>
    private async Task<ulong> WriteBacklogAsync(string actorId, ulong after, string? runId, string? channel, Func<MailboxMessage, bool, CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        var last = after;
        while (true)
        {
            var backlog = await store.ReadAsync(new InboxQuery(actorId, 500, last, false, runId, channel), cancellationToken);
            for (var i = 0; i < backlog.Count; i++)
                await write(backlog[i], i == backlog.Count - 1, cancellationToken);
            if (backlog.Count > 0)
                last = backlog[^1].Id; // the live feed may repeat what the backlog already sent: it skips up to here
            if (backlog.Count < 500)
                return last;
        }
    }

    public async Task<TeamMembersResponse> TeamMembersAsync(CallerIdentity caller, TeamMembersRequest request, CancellationToken cancellationToken)
    {
        var acting = actors.Resolve(caller, request.ActorId, rootMayActAsItself: true);
        var teamId = string.IsNullOrEmpty(request.TeamId) ? acting.Actor?.TeamId : request.TeamId;
        if (teamId is null)
        {
            throw new MailboxException(acting.IsRoot ? MailboxError.InvalidArgument : MailboxError.FailedPrecondition,
                acting.IsRoot ? "name the team with --team-id." : $"actor '{acting.Id}' is in no team; name one with --team-id.");
        }

        if (!acting.IsRoot && !string.Equals(acting.Actor!.TeamId, teamId, StringComparison.Ordinal))
            throw new MailboxException(MailboxError.PermissionDenied, $"actor '{acting.Id}' is not a member of team '{teamId}'.");
        var members = actors.TeamMembers(teamId);
        if (members.Count == 0)
            throw new MailboxException(MailboxError.NotFound, $"no team '{teamId}'.");
        var counts = await store.CountPendingByActorAsync(cancellationToken);
        var response = new TeamMembersResponse { TeamId = teamId };
        foreach (var member in members)
        {
            response.Members.Add(new TeamMember
            {
                ActorId = member.Id,
                Name = member.Name,
                Role = member.TeamRole,
                Placement = member.Placement.ToString(),
                PendingCount = (ulong)counts.GetValueOrDefault(member.Id),
            });
        }

        return response;
    }

    /// <summary>An actor's newest messages, pending and delivered, newest first; NOT_FOUND for an unknown actor.</summary>
    public Task<IReadOnlyList<MailboxMessage>> LatestMessagesAsync(string actorId, int limit, CancellationToken cancellationToken)
    {
        if (actors.Find(actorId) is null)
            throw new MailboxException(MailboxError.NotFound, $"actor '{actorId}' does not exist.");
        if (limit is < 1 or > MaxInboxLimit)
            throw new MailboxException(MailboxError.InvalidArgument, $"limit {limit} is out of range: use 1 to {MaxInboxLimit}.");
        return store.ReadLatestAsync(actorId, limit, cancellationToken);
    }

    /// <summary>An actor's newest messages whether or not it is still in the directory (a removed replica's archive), newest first.</summary>
    public Task<IReadOnlyList<MailboxMessage>> ArchiveAsync(string actorId, int limit, CancellationToken cancellationToken) =>
        store.ReadLatestAsync(actorId, Math.Clamp(limit, 1, MaxInboxLimit), cancellationToken);

    public Task<long> CountPendingAsync(string actorId, CancellationToken cancellationToken) => store.CountPendingAsync(actorId, cancellationToken);

    public Task<IReadOnlyDictionary<string, long>> CountPendingByActorAsync(CancellationToken cancellationToken) => store.CountPendingByActorAsync(cancellationToken);

    /// <summary>Starts the pending-messages gauge from the store's count (once, when the mailbox opens).</summary>
    public async Task StartMetricsAsync(CancellationToken cancellationToken) =>
        metrics.StartFrom((await store.CountPendingByActorAsync(cancellationToken)).Values.Sum());

    /// <summary>An actor's messages after <paramref name="afterId"/>, pending and delivered, oldest first (live pages read what a commit announced).</summary>
    public Task<IReadOnlyList<MailboxMessage>> ReadAfterAsync(string actorId, ulong afterId, int limit, CancellationToken cancellationToken) =>
        store.ReadAsync(new InboxQuery(actorId, limit, afterId, IncludeDelivered: true, null, null), cancellationToken);
}
