using System.Threading.Channels;
using Mesh.Hub.Cluster;

namespace Mesh.Hub.Tests.Cluster;

/// <summary>A subscriber that keeps what it hears, in order, for a test to take one at a time (each wait has a timeout).</summary>
internal sealed class BusRecorder : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Channel<BusNotification> _heard = Channel.CreateUnbounded<BusNotification>();
    private readonly IDisposable _subscription;

    public BusRecorder(IHubBus bus, string channel, Func<BusNotification, Task>? onEach = null) =>
        _subscription = bus.Subscribe(channel, async (notification, _) =>
        {
            if (onEach is not null)
                await onEach(notification);
            _heard.Writer.TryWrite(notification);
        });

    public async Task<BusNotification> NextAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        return await _heard.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Waits for the bus's "listening, re-read" word (the first thing every subscriber hears).</summary>
    public async Task ListeningAsync() => Assert.True((await NextAsync()).Missed);

    /// <summary>Everything heard up to and including <paramref name="marker"/>.</summary>
    public async Task<List<BusNotification>> UntilAsync(string marker)
    {
        var heard = new List<BusNotification>();
        do
            heard.Add(await NextAsync());
        while (heard[^1].Message != marker);
        return heard;
    }

    public void Dispose() => _subscription.Dispose();
}
