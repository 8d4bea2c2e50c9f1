using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Messages;

/// <summary>
/// Caps concurrent Watch streams per watched actor and in total, so no token holder can make the hub hold
/// thousands of streams (each a subscription, a buffer and an HTTP/2 stream).
/// </summary>
public sealed class WatchLimiter(MailboxOptions options)
{
    private readonly Dictionary<string, int> _perActor = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _total;

    /// <summary>Streams open now (for tests and the UI).</summary>
    public int Open
    {
        get
        {
            lock (_gate)
                return _total;
        }
    }

    /// <summary>A place for one more stream of <paramref name="actorId"/>; dispose it when the stream ends.</summary>
    /// <exception cref="MailboxException">RESOURCE_EXHAUSTED, naming the limit that was reached.</exception>
    public IDisposable Acquire(string actorId)
    {
        lock (_gate)
        {
            var mine = _perActor.GetValueOrDefault(actorId);
            if (mine >= options.MaxWatchStreamsPerActor)
                throw new MailboxException(MailboxError.ResourceExhausted,
                    $"actor '{actorId}' already has {mine} Watch streams open, the most one actor may hold ([mailbox] max_watch_streams_per_actor); close one first.");
            if (_total >= options.MaxWatchStreams)
                throw new MailboxException(MailboxError.ResourceExhausted,
                    $"the hub serves {_total} Watch streams, its limit ([mailbox] max_watch_streams); retry later.");
            _perActor[actorId] = mine + 1;
            _total++;
        }

        return new Lease(this, actorId);
    }

    private void Release(string actorId)
    {
        lock (_gate)
        {
            var left = _perActor[actorId] - 1;
            if (left == 0)
                _perActor.Remove(actorId);
            else
                _perActor[actorId] = left;
            _total--;
        }
    }

    private sealed class Lease(WatchLimiter owner, string actorId) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                owner.Release(actorId);
        }
    }
}
