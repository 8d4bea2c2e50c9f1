using System.Threading.Channels;

namespace Mesh.Hub.Live;

/// <summary>One reader of a <see cref="LiveFeed{T}"/>: its position, and a wake-up that costs one slot however much was published.</summary>
public sealed class LiveSubscription<T> : IDisposable
{
    private readonly LiveFeed<T> _feed;
    private readonly LiveGate.Lease _lease;
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private int _disposed;

    internal LiveSubscription(LiveFeed<T> feed, LiveGate.Lease lease, long after)
    {
        _feed = feed;
        _lease = lease;
        Position = after;
    }

    /// <summary>The position of the last item read.</summary>
    public long Position { get; private set; }

    /// <summary>Waits until there are items after <see cref="Position"/>, then takes them (and moves past them).</summary>
    public async ValueTask<LiveBatch<T>> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = Take();
            if (batch.Items.Count > 0)
                return batch;
            await _signal.Reader.ReadAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Like <see cref="NextAsync(CancellationToken)"/>, but returns an empty batch when nothing arrived within
    /// <paramref name="maxWait"/> (on <paramref name="time"/>'s clock): for readers that also re-check a source no feed announces.
    /// </summary>
    public async ValueTask<LiveBatch<T>> NextAsync(TimeSpan maxWait, TimeProvider time, CancellationToken cancellationToken)
    {
        var batch = Take();
        if (batch.Items.Count > 0)
            return batch;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(maxWait, time, timeout.Token);
        var signal = _signal.Reader.WaitToReadAsync(cancellationToken).AsTask();
        await Task.WhenAny(signal, delay);
        await timeout.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        _signal.Reader.TryRead(out _);
        return Take();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _feed.Remove(this);
        _lease.Dispose();
        _signal.Writer.TryComplete();
    }

    internal void Signal() => _signal.Writer.TryWrite(true);

    private LiveBatch<T> Take()
    {
        var batch = _feed.Read(Position);
        if (batch.Items.Count > 0)
            Position = batch.Items[^1].Position;
        return batch;
    }
}
