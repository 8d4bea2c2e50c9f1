using System.Collections.Concurrent;
using System.Threading.Channels;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Messages;

/// <summary>
/// Hands committed messages to live Watch streams, per recipient, in id order. A subscriber's buffer is bounded:
/// a reader that falls that far behind is completed with <see cref="WatchOverflowException"/> and resumes from
/// the store with after_id, so nothing is lost, only re-read. With several hubs (PostgreSQL) a commit may come from
/// any hub: then each watcher is only woken (<see cref="Wake"/>, the <see cref="WakeUp"/> marker in its feed) and reads
/// the store after its last id — ids follow commit order across hubs, so that read misses nothing, where a message
/// pushed from this hub could overtake an earlier one committed by another.
/// </summary>
public sealed class MailboxNotifier : IMessageCommitListener
{
    /// <summary>In a watcher's feed: read the store after your last id.</summary>
    public static readonly MailboxMessage WakeUp = new();

    /// <summary>False with several hubs: this hub's commits wake watchers through the cluster bus like everyone else's.</summary>
    public bool PushesCommits { get; init; } = true;

    private readonly ConcurrentDictionary<string, Subscriber[]> _subscribers = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly int _capacity;

    public MailboxNotifier(MailboxOptions options) => _capacity = options.WatchBuffer;

    /// <summary>Wakes the watchers of <paramref name="actorIds"/> (every watcher when null) to read the store; a watcher already woken is not queued twice.</summary>
    public void Wake(IReadOnlyCollection<string>? actorIds)
    {
        IEnumerable<Subscriber[]> targets = actorIds is null
            ? _subscribers.Values
            : actorIds.Select(id => _subscribers.GetValueOrDefault(id)).OfType<Subscriber[]>();
        foreach (var subscribers in targets)
        {
            foreach (var subscriber in subscribers)
            {
                if (Interlocked.Exchange(ref subscriber.WakePending, 1) == 0 && !subscriber.Channel.Writer.TryWrite(WakeUp))
                    subscriber.Channel.Writer.TryComplete(new WatchOverflowException(_capacity));
            }
        }
    }

    public Subscription Subscribe(string actorId)
    {
        var subscriber = new Subscriber(actorId, Channel.CreateBounded<MailboxMessage>(new BoundedChannelOptions(_capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        }));
        lock (_gate)
            _subscribers[actorId] = [.. _subscribers.GetValueOrDefault(actorId) ?? [], subscriber];
        return new Subscription(this, subscriber);
    }

    /// <summary>Called once per commit (from the writer) with the new messages in id order.</summary>
    public void MessagesCommitted(IReadOnlyList<MailboxMessage> messages)
    {
        if (!PushesCommits)
            return;
        foreach (var message in messages)
        {
            if (!_subscribers.TryGetValue(message.ToActorId, out var subscribers))
                continue;
            foreach (var subscriber in subscribers)
            {
                if (!subscriber.Channel.Writer.TryWrite(message))
                    subscriber.Channel.Writer.TryComplete(new WatchOverflowException(_capacity));
            }
        }
    }

    /// <summary>Live watchers of an actor (for the UI and tests).</summary>
    public int WatcherCount(string actorId) => _subscribers.GetValueOrDefault(actorId)?.Length ?? 0;

    private void Remove(Subscriber subscriber)
    {
        lock (_gate)
        {
            var remaining = (_subscribers.GetValueOrDefault(subscriber.ActorId) ?? []).Where(s => s != subscriber).ToArray();
            if (remaining.Length == 0)
                _subscribers.TryRemove(subscriber.ActorId, out _);
            else
                _subscribers[subscriber.ActorId] = remaining;
        }

        subscriber.Channel.Writer.TryComplete();
    }

    internal sealed record Subscriber(string ActorId, Channel<MailboxMessage> Channel)
    {
        public int WakePending;
    }

    /// <summary>A live feed of one actor's new messages; dispose to stop.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly MailboxNotifier _owner;
        private readonly Subscriber _subscriber;

        internal Subscription(MailboxNotifier owner, Subscriber subscriber)
        {
            _owner = owner;
            _subscriber = subscriber;
        }

        public ChannelReader<MailboxMessage> Reader => _subscriber.Channel.Reader;

        /// <summary>The watcher took its <see cref="WakeUp"/> and is about to read the store: a later commit wakes it again.</summary>
        public void Woken() => Interlocked.Exchange(ref _subscriber.WakePending, 0);

        public void Dispose() => _owner.Remove(_subscriber);
    }
}

/// <summary>A watcher fell further behind than its buffer allows.</summary>
public sealed class WatchOverflowException(int capacity)
    : Exception($"the watcher fell more than {capacity} messages behind; reconnect with after_id to resume");
