namespace Mesh.Hub.Web;

/// <summary>Caps the open Mailboxes/Reviews UI streams; each holds a lease until its response ends.</summary>
public sealed class MailboxStreamGate
{
    public const int DefaultMaxStreams = 200;
    public const int ClosedReviewsShown = 20;
    private int _open;

    public MailboxStreamGate(int maxStreams = DefaultMaxStreams, TimeSpan? recheckInterval = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStreams, 1);
        MaxStreams = maxStreams;
        RecheckInterval = recheckInterval ?? TimeSpan.FromSeconds(2);
    }

    public int MaxStreams { get; }

    /// <summary>How often a stream re-reads what no event announces (acks, reviews answered elsewhere).</summary>
    public TimeSpan RecheckInterval { get; }

    public int Open => Volatile.Read(ref _open);

    /// <summary>A lease, or null when <see cref="MaxStreams"/> streams are open.</summary>
    public Lease? TryEnter()
    {
        if (Interlocked.Increment(ref _open) <= MaxStreams)
            return new Lease(this);
        Interlocked.Decrement(ref _open);
        return null;
    }

    public sealed class Lease : IDisposable
    {
        private MailboxStreamGate? _gate;

        internal Lease(MailboxStreamGate gate) => _gate = gate;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _gate, null) is { } gate)
                Interlocked.Decrement(ref gate._open);
        }
    }
}
