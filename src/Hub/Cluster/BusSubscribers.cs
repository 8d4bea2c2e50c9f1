using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Mesh.Hub.Cluster;

/// <summary>
/// The subscriptions of one bus and their delivery: each subscription has its own bounded queue and loop, so a slow
/// handler delays only itself; a queue that overflows drops what does not fit and tells its handler
/// <see cref="BusNotification.Missed"/> instead.
/// </summary>
internal sealed class BusSubscribers(ILogger logger) : IAsyncDisposable
{
    public const int QueueCapacity = 1024;

    private readonly ConcurrentDictionary<Subscription, string> _all = new();
    private readonly ILogger _logger = logger;
    private bool _listening;
    private int _disposed;

    /// <summary>The listening connection is gone: new subscribers wait for the next <see cref="MissedAll"/>.</summary>
    public void Lost() => Volatile.Write(ref _listening, false);
    private readonly CancellationTokenSource _stopping = new();

    public IDisposable Add(string channel, Func<BusNotification, CancellationToken, Task> handler)
    {
        BusMessages.CheckChannel(channel);
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new Subscription(this, channel, handler);
        _all[subscription] = channel;
        subscription.Start(_stopping.Token);
        // Its first word: listening now, read the source (a subscriber added while the bus is down hears it on reconnect).
        if (Volatile.Read(ref _listening))
            subscription.Offer(null);
        return subscription;
    }

    public void Deliver(string channel, string message)
    {
        foreach (var (subscription, name) in _all)
        {
            if (string.Equals(name, channel, StringComparison.Ordinal))
                subscription.Offer(message);
        }
    }

    /// <summary>The bus listens (again): every subscriber may have missed notifications and re-reads its source.</summary>
    public void MissedAll()
    {
        Volatile.Write(ref _listening, true);
        foreach (var subscription in _all.Keys)
            subscription.Offer(null);
    }

    public async ValueTask DisposeAsync()
    {
        // The container may hand out one bus under two types and dispose it under each.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stopping.CancelAsync();
        await Task.WhenAll(_all.Keys.Select(s => s.Completion));
        _stopping.Dispose();
    }

    private sealed class Subscription(BusSubscribers owner, string channel, Func<BusNotification, CancellationToken, Task> handler) : IDisposable
    {
        private readonly Channel<string?> _queue = Channel.CreateBounded<string?>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true });
        private readonly CancellationTokenSource _ended = new();
        private int _overflowed;

        public Task Completion { get; private set; } = Task.CompletedTask;

        public void Start(CancellationToken stopping)
        {
            var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _ended.Token);
            Completion = Task.Run(() => RunAsync(linked.Token), CancellationToken.None).ContinueWith(_ => linked.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        public void Offer(string? message)
        {
            if (_queue.Writer.TryWrite(message))
                return;
            // Full: what does not fit is lost, so the handler re-reads once it catches up.
            Volatile.Write(ref _overflowed, 1);
        }

        public void Dispose()
        {
            owner._all.TryRemove(this, out _);
            _queue.Writer.TryComplete();
            try
            {
                _ended.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        private async Task RunAsync(CancellationToken cancellationToken)
        {
            try
            {
                while (await _queue.Reader.WaitToReadAsync(cancellationToken))
                {
                    while (_queue.Reader.TryRead(out var message))
                        await CallAsync(message, cancellationToken);
                    // Caught up: if anything was dropped meanwhile, the handler re-reads once, after what it did get.
                    if (Interlocked.Exchange(ref _overflowed, 0) == 1)
                        await CallAsync(null, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }

        private async Task CallAsync(string? message, CancellationToken cancellationToken)
        {
            try
            {
                await handler(new BusNotification(channel, message), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                ClusterLog.HandlerFailed(owner._logger, channel, ex.Message);
            }
        }
    }
}
