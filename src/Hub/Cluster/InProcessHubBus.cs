using System.Data.Common;
using System.Runtime.CompilerServices;

namespace Mesh.Hub.Cluster;

/// <summary>
/// The bus of a single hub (SQLite): notifications go straight to this process's subscribers. What is published in a
/// transaction waits for <see cref="CommitAsync"/>, as it would on PostgreSQL.
/// </summary>
public sealed class InProcessHubBus : IHubBus, IAsyncDisposable
{
    private readonly BusSubscribers _subscribers;
    private readonly ConditionalWeakTable<DbTransaction, List<(string Channel, string Message)>> _pending = [];

    public InProcessHubBus(ILogger<InProcessHubBus> logger)
    {
        _subscribers = new BusSubscribers(logger);
        // Listening from the start: each subscriber hears Missed once, as its cue to read its source.
        _subscribers.MissedAll();
    }

    public Task PublishAsync(string channel, string message, CancellationToken cancellationToken)
    {
        BusMessages.Check(channel, message);
        _subscribers.Deliver(channel, message);
        return Task.CompletedTask;
    }

    public Task PublishAsync(string channel, string message, DbTransaction transaction, CancellationToken cancellationToken)
    {
        BusMessages.Check(channel, message);
        var list = _pending.GetOrCreateValue(transaction);
        lock (list)
            list.Add((channel, message));
        return Task.CompletedTask;
    }

    public async Task CommitAsync(DbTransaction transaction, CancellationToken cancellationToken)
    {
        await transaction.CommitAsync(cancellationToken);
        if (!_pending.TryGetValue(transaction, out var list))
            return;
        _pending.Remove(transaction);
        lock (list)
        {
            foreach (var (channel, message) in list)
                _subscribers.Deliver(channel, message);
        }
    }

    public IDisposable Subscribe(string channel, Func<BusNotification, CancellationToken, Task> handler)
    {
        return _subscribers.Add(channel, handler);
    }

    public ValueTask DisposeAsync() => _subscribers.DisposeAsync();
}
