using System.Collections.Concurrent;
using System.Threading.Channels;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Messages;

/// <summary>
/// Hands committed messages to live Watch streams, per recipient, in id order. A subscriber's buffer is bounded:
/// a reader that falls that far behind is completed with <see cref="WatchOverflowException"/> and resumes from
/// the store with after_id, so nothing is lost, only re-read.
/// </summary>
public sealed class MailboxNotifier : IMessageCommitListener
{
    private readonly ConcurrentDictionary<string, Subscriber[]> _subscribers = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly int _capacity;

    public MailboxNotifier(MailboxOptions options) => _capacity = options.WatchBuffer;

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

    internal sealed record Subscriber(string ActorId, Channel<MailboxMessage> Channel);

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

        public void Dispose() => _owner.Remove(_subscriber);
    }
}

/// <summary>A watcher fell further behind than its buffer allows.</summary>
public sealed class WatchOverflowException(int capacity)
    : Exception($"the watcher fell more than {capacity} messages behind; reconnect with after_id to resume");
