using System.Collections.Concurrent;
using Google.Protobuf;
using Mesh.Core.Protocol;
using Mesh.Hub.Cluster;

namespace Mesh.Hub.Nodes.Sessions.Routing;

/// <summary>
/// Several hubs on PostgreSQL, the holding side: hears the ids of commands routed to this hub, claims each (pending →
/// sent, once), sends it down the node's session here and writes the result. At start it first forgets what an earlier
/// run of this hub held (sessions, commands), and it deletes commands older than an hour now and then.
/// </summary>
internal sealed class RoutedCommandRunner(RoutingStore store, IHubBus bus, IHubLeases leases, NodeSessionManager sessions, TimeProvider time, ILogger<RoutedCommandRunner> logger)
    : BackgroundService
{
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan KeepFor = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private IDisposable? _subscription;

    private string Me => leases.Local.Id;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.ForgetHubAsync(Me, time.GetUtcNow(), cancellationToken);
        _subscription = bus.Subscribe(RoutingStore.CommandsChannel(Me), async (notification, token) =>
        {
            foreach (var id in notification.Missed ? await store.PendingForAsync(Me, token) : [notification.Message!])
                await TakeAsync(id, token);
        });
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(_running.Values).WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PurgeEvery, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await store.PurgeAsync(time.GetUtcNow() - KeepFor, stoppingToken);
                }
                catch (Exception ex) when (ex is Storage.StoreException or System.Data.Common.DbException or TimeoutException)
                {
                    RoutingLog.StoreFailed(logger, "purge old commands", "*", ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task TakeAsync(string id, CancellationToken cancellationToken)
    {
        var row = await store.GetAsync(id, cancellationToken);
        if (row is not { State: CommandStates.Pending })
            return;
        if (!sessions.TryGetLocal(row.NodeId, out _))
        {
            // Never sent: the sender routes it again to whoever holds the session now.
            await store.EndAsync(id, CommandStates.Pending, CommandStates.Unroutable, null, $"hub '{Me}' no longer holds node '{row.NodeId}'s session", time.GetUtcNow(), cancellationToken);
            return;
        }

        if (await store.ClaimAsync(id, Me, cancellationToken) is not { } claimed)
            return; // the sender took it back (timeout), or another delivery of this notification claimed it
        var run = RunAsync(claimed);
        _running[id] = run;
        _ = run.ContinueWith(_ => _running.TryRemove(id, out var _), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private async Task RunAsync(RoutedCommand command)
    {
        await Task.Yield();
        string state;
        byte[]? result = null;
        string? error = null;
        var remaining = command.Deadline - time.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            (state, error) = (CommandStates.Failed, $"the command for node '{command.NodeId}' expired before hub '{Me}' could send it; it did not run");
        }
        else if (!sessions.TryGetLocal(command.NodeId, out var session))
        {
            (state, error) = (CommandStates.Unroutable, $"hub '{Me}' no longer holds node '{command.NodeId}'s session");
        }
        else
        {
            try
            {
                var answer = await session.SendAsync(NodeCommand.Parser.ParseFrom(command.Payload), remaining, CancellationToken.None);
                (state, result) = (CommandStates.Done, answer.ToByteArray());
            }
            catch (SessionCommandException ex)
            {
                (state, error) = (CommandStates.Failed, ex.Message);
            }
        }

        try
        {
            await store.EndAsync(command.Id, CommandStates.Sent, state, result, error, time.GetUtcNow(), CancellationToken.None);
        }
        catch (Exception ex) when (ex is Storage.StoreException or System.Data.Common.DbException or TimeoutException)
        {
            RoutingLog.StoreFailed(logger, "record the result of command " + command.Id, command.NodeId, ex.Message);
        }

        if (error is not null && state == CommandStates.Failed)
            RoutingLog.Failed(logger, command.Id, command.NodeId, error);
    }
}
