namespace Mesh.Hub.Live;

/// <summary>One published item and its position (a sequence number, a message id, an output offset).</summary>
public readonly record struct LiveItem<T>(long Position, T Value);

/// <summary>
/// What a subscriber reads at once: the items after its position, in order. <see cref="DroppedBefore"/> is set when
/// the reader fell so far behind that items it had not read were overwritten: everything before that position is
/// gone from the feed (the reader resumes from its own source, or starts over).
/// </summary>
public sealed record LiveBatch<T>(IReadOnlyList<LiveItem<T>> Items, long? DroppedBefore)
{
    public static readonly LiveBatch<T> Empty = new([], null);
}

/// <summary>
/// A bounded fan-out of live data: publishers append items with increasing positions to one ring of
/// <see cref="Capacity"/> items shared by every subscriber; each subscriber reads from its own position. Memory
/// is the ring's, whatever the number or speed of readers: a reader that falls a whole ring behind is told what
/// it missed (<see cref="LiveBatch{T}.DroppedBefore"/>) instead of being buffered for. Subscribers are capped by a
/// <see cref="LiveGate"/>. Positions are the caller's (message ids, byte offsets) or numbered 1, 2, 3…
/// </summary>
public sealed class LiveFeed<T>
{
    private readonly LiveItem<T>[] _ring;
    private readonly Lock _gate = new();
    private LiveSubscription<T>[] _subscribers = [];
    private long _count;
    private long _last;
    private long _overwritten;

    public LiveFeed(int capacity, LiveGate gate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new LiveItem<T>[capacity];
        Gate = gate;
    }

    public LiveFeed(int capacity, int maxSubscribers)
        : this(capacity, new LiveGate(maxSubscribers))
    {
    }

    public int Capacity => _ring.Length;

    public LiveGate Gate { get; }

    /// <summary>The position of the newest item (0 before the first).</summary>
    public long Position
    {
        get
        {
            lock (_gate)
                return _last;
        }
    }

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Appends an item at the next position (the newest + 1) and wakes the readers; returns its position.</summary>
    public long Publish(T value)
    {
        long position;
        lock (_gate)
        {
            position = _last + 1;
            Append(position, value);
        }

        Wake();
        return position;
    }

    /// <summary>Appends items whose positions the caller chose (increasing, past <see cref="Position"/>), then wakes the readers once.</summary>
    public void Publish(IEnumerable<LiveItem<T>> items)
    {
        lock (_gate)
        {
            foreach (var item in items)
            {
                if (item.Position <= _last)
                    throw new ArgumentException($"position {item.Position} is not after {_last}; positions must increase", nameof(items));
                Append(item.Position, item.Value);
            }
        }

        Wake();
    }

    /// <summary>
    /// A subscription that reads the items after <paramref name="after"/> (default: from now on), or null when the
    /// gate is full (the caller answers 503 with Retry-After). Dispose it to leave.
    /// </summary>
    public LiveSubscription<T>? TrySubscribe(long? after = null)
    {
        var lease = Gate.TryEnter();
        if (lease is null)
            return null;
        lock (_gate)
        {
            var subscription = new LiveSubscription<T>(this, lease, after ?? _last);
            _subscribers = [.. _subscribers, subscription];
            return subscription;
        }
    }

    internal void Remove(LiveSubscription<T> subscription)
    {
        lock (_gate)
            _subscribers = [.. _subscribers.Where(s => s != subscription)];
    }

    /// <summary>The items after <paramref name="after"/> that the ring still holds, and where the gap ends if some are gone.</summary>
    internal LiveBatch<T> Read(long after)
    {
        lock (_gate)
        {
            if (_last <= after)
                return LiveBatch<T>.Empty;
            var retained = (int)Math.Min(_count, _ring.Length);
            var oldest = _count - retained;
            var items = new List<LiveItem<T>>();
            for (var i = 0; i < retained; i++)
            {
                var item = _ring[(oldest + i) % _ring.Length];
                if (item.Position > after)
                    items.Add(item);
            }

            // Items the reader had not read were overwritten: everything before the oldest retained one is gone.
            long? dropped = _overwritten > after ? _ring[oldest % _ring.Length].Position : null;
            return new LiveBatch<T>(items, dropped);
        }
    }

    private void Append(long position, T value)
    {
        var slot = _count % _ring.Length;
        if (_count >= _ring.Length)
            _overwritten = _ring[slot].Position;
        _ring[slot] = new LiveItem<T>(position, value);
        _count++;
        _last = position;
    }

    private void Wake()
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
            subscriber.Signal();
    }
}
