using System.Collections.Concurrent;
using Google.Protobuf;
using Mesh.Core.Protocol;
using Mesh.Hub.Cluster;

namespace Mesh.Hub.Nodes.Sessions.Routing;

/// <summary>
/// Several hubs on PostgreSQL, the sending side: records the sessions this hub holds, follows who holds the others
/// (<see cref="RoutingStore.SessionsChannel"/>), and sends a command for a node attached elsewhere by writing it to
/// <c>node_commands</c> for the holder and waiting for its end state. A command is sent at most once: only the holder's
/// claim (pending → sent) lets it go down a session; if the holder's lease ends after that, the command is reported
/// as possibly run, and sent again only when the node takes it twice as once (<see cref="CommandRetry"/>).
/// </summary>
internal sealed class ClusterSessionRouter(RoutingStore store, IHubBus bus, IHubLeases leases, TimeProvider time, ILogger<ClusterSessionRouter> logger)
    : ISessionRouter, IHostedService
{
    /// <summary>How often a waiting sender checks that the holder's lease still runs (a killed hub sends no word).</summary>
    internal static readonly TimeSpan LeaseCheck = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, SessionHolder> _holders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _waiting = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _subscriptions = [];

    private string Me => leases.Local.Id;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscriptions.Add(bus.Subscribe(RoutingStore.SessionsChannel, FollowHoldersAsync));
        _subscriptions.Add(bus.Subscribe(RoutingStore.DoneChannel, (notification, _) =>
        {
            if (notification.Missed)
            {
                foreach (var signal in _waiting.Values)
                    signal.Release();
            }
            else if (_waiting.TryGetValue(notification.Message!, out var signal))
            {
                signal.Release();
            }

            return Task.CompletedTask;
        }));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var subscription in _subscriptions)
            subscription.Dispose();
        return Task.CompletedTask;
    }

    public async Task AttachedAsync(string nodeId, long generation, CancellationToken cancellationToken)
    {
        _holders[nodeId] = new SessionHolder(nodeId, Me, generation, null);
        await store.HoldAsync(nodeId, Me, generation, time.GetUtcNow(), cancellationToken);
    }

    public Task DetachedAsync(string nodeId, long generation, CancellationToken cancellationToken) => store.ReleaseAsync(nodeId, Me, generation, cancellationToken);

    // The lease as last renewed here, or as read with the holder's row (a hub that started since this one's last renewal).
    public bool HeldElsewhere(string nodeId) =>
        _holders.TryGetValue(nodeId, out var holder) && !string.Equals(holder.HubId, Me, StringComparison.Ordinal)
        && (leases.IsAlive(holder.HubId) || holder.LeaseExpires > time.GetUtcNow());

    public async Task<CommandResult> SendElsewhereAsync(string nodeId, NodeCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        var payload = command.ToByteArray();
        SessionHolder? refusedBy = null;
        for (var attempt = 0; ; attempt++)
        {
            var now = time.GetUtcNow();
            var holder = await store.HolderAsync(nodeId, cancellationToken);
            if (holder is null || string.Equals(holder.HubId, Me, StringComparison.Ordinal) || !(holder.LeaseExpires > now))
                throw SingleHubRouter.NotConnected(nodeId, "this hub or any other hub of the mesh");
            // The same holder said it no longer has the session and nothing newer was recorded: do not ask it again.
            if (refusedBy is not null && refusedBy.HubId == holder.HubId && refusedBy.Generation == holder.Generation)
                throw SingleHubRouter.NotConnected(nodeId, $"hub '{holder.HubId}', which last recorded it, or any other hub of the mesh");
            if (now >= deadline)
                throw new SessionCommandException($"node '{nodeId}' did not answer within {timeout.TotalSeconds:0} s (its session moved between hubs meanwhile)");

            var id = attempt == 0 ? command.Id : $"{command.Id}.{attempt}";
            var signal = new SemaphoreSlim(0);
            _waiting[id] = signal;
            try
            {
                await store.AddAsync(id, nodeId, holder.HubId, Me, payload, now, deadline, cancellationToken);
                RoutingLog.Routed(logger, id, command.KindCase, nodeId, holder.HubId);
                var ended = await WaitAsync(id, nodeId, holder.HubId, signal, deadline, timeout, cancellationToken);
                switch (ended.State)
                {
                    case CommandStates.Done:
                        return CommandResult.Parser.ParseFrom(ended.Result);
                    case CommandStates.Failed:
                        throw new SessionCommandException(ended.Error ?? $"node '{nodeId}' did not run the command");
                    case CommandStates.Lost when !CommandRetry.IsIdempotent(command):
                        throw new SessionCommandException(ended.Error ?? $"hub '{holder.HubId}' that held node '{nodeId}'s session stopped; the command may or may not have run");
                }

                // Never sent (unroutable, cancelled), or lost but the same to the node twice: route again through whoever holds the session now.
                if (ended.State == CommandStates.Unroutable)
                    refusedBy = holder;
                RoutingLog.Rerouted(logger, id, nodeId, holder.HubId, ended.State);
            }
            finally
            {
                _waiting.TryRemove(id, out _);
                signal.Dispose();
            }
        }
    }

    private async Task<RoutedCommand> WaitAsync(string id, string nodeId, string hubId, SemaphoreSlim signal, DateTimeOffset deadline, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var row = await store.GetAsync(id, cancellationToken)
                    ?? throw new SessionCommandException($"routed command {id} for node '{nodeId}' is gone from the store");
                if (row.State is not (CommandStates.Pending or CommandStates.Sent))
                    return row;
                var now = time.GetUtcNow();
                if (now >= deadline)
                    return await TimedOutAsync(row, nodeId, timeout);
                if (!await leases.IsAliveNowAsync(hubId, cancellationToken))
                {
                    // Whichever of these matches the row decides: not sent yet, or sent and now without an answer.
                    if (!await store.EndAsync(id, CommandStates.Pending, CommandStates.Cancelled, null, $"hub '{hubId}' stopped before sending it", now, CancellationToken.None))
                        await store.EndAsync(id, CommandStates.Sent, CommandStates.Lost, null, $"hub '{hubId}' that held node '{nodeId}'s session stopped; the command may or may not have run", now, CancellationToken.None);
                    continue;
                }

                var wait = deadline - now < LeaseCheck ? deadline - now : LeaseCheck;
                using var pause = new CancellationTokenSource(wait, time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, pause.Token);
                try
                {
                    await signal.WaitAsync(linked.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up: a command not yet taken is taken back, so it never runs after the caller stopped waiting.
            await store.EndAsync(id, CommandStates.Pending, CommandStates.Cancelled, null, "the sender stopped waiting", time.GetUtcNow(), CancellationToken.None);
            throw;
        }
    }

    private async Task<RoutedCommand> TimedOutAsync(RoutedCommand row, string nodeId, TimeSpan timeout)
    {
        if (await store.EndAsync(row.Id, CommandStates.Pending, CommandStates.Cancelled, null, "not taken in time", time.GetUtcNow(), CancellationToken.None))
            throw new SessionCommandException($"node '{nodeId}' did not answer within {timeout.TotalSeconds:0} s (hub '{row.HubId}', which holds its session, did not take the command)");
        // Sent: the holder ends it when the node answers or its own wait runs out; one last look before giving up.
        var last = await store.GetAsync(row.Id, CancellationToken.None);
        return last is { State: not (CommandStates.Pending or CommandStates.Sent) }
            ? last
            : throw new SessionCommandException($"node '{nodeId}' did not answer within {timeout.TotalSeconds:0} s");
    }

    private async Task FollowHoldersAsync(BusNotification notification, CancellationToken cancellationToken)
    {
        if (notification.Missed || notification.Message == RoutingStore.Everything)
        {
            var all = await store.HoldersAsync(null, cancellationToken);
            foreach (var gone in _holders.Keys.Except(all.Select(h => h.NodeId), StringComparer.Ordinal))
                _holders.TryRemove(gone, out _);
            foreach (var holder in all)
                _holders[holder.NodeId] = holder;
            return;
        }

        var nodeId = notification.Message!;
        if (await store.HolderAsync(nodeId, cancellationToken) is { } current)
            _holders[nodeId] = current;
        else
            _holders.TryRemove(nodeId, out _);
    }
}
