namespace Mesh.Hub.Live;

/// <summary>
/// Caps how many live streams are open at once; each holds a lease until its response ends. A feed has one of its
/// own, or several feeds share one (one cap for a family of pages).
/// </summary>
public sealed class LiveGate
{
    private int _open;

    public LiveGate(int maxStreams)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStreams, 1);
        MaxStreams = maxStreams;
    }

    public int MaxStreams { get; }

    public int Open => Volatile.Read(ref _open);

    /// <summary>A lease, or null when <see cref="MaxStreams"/> streams are open.</summary>
    public Lease? TryEnter()
    {
        if (Interlocked.Increment(ref _open) <= MaxStreams)
            return new Lease(this);
        Interlocked.Decrement(ref _open);
        return null;
    }

    /// <summary>One open stream's place; disposing it (once or more) frees the place once.</summary>
    public sealed class Lease : IDisposable
    {
        private LiveGate? _gate;

        internal Lease(LiveGate gate) => _gate = gate;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _gate, null) is { } gate)
                Interlocked.Decrement(ref gate._open);
        }
    }
}
