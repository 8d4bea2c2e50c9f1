using System.Text;
using Mesh.Core.Protocol;
using Mesh.Hub.Cluster;
using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Messages;

/// <summary>
/// Mailbox commits across hubs: each batch that stored messages publishes its recipients on the cluster bus inside
/// its transaction, and every hub (this one too) wakes the Watch streams of those actors, which read the store after
/// their last id. When the bus may have lost notifications (its connection dropped), every watcher re-reads.
/// </summary>
internal sealed class MailboxBus(IHubBus bus, MailboxNotifier notifier) : IMessageCommitAnnouncer, IHostedService
{
    public const string Channel = "mailbox";

    // Whatever does not fit in one notification wakes every watcher of this hub instead: correct, only more reads.
    private const string Everyone = "*";
    private IDisposable? _subscription;

    // The writer sends it inside the batch's transaction: other hubs hear of it when the batch commits.
    public (string Channel, string Payload)? Announcement(IReadOnlyList<MailboxMessage> messages) =>
        (PostgresHubBus.PostgresChannel, BusMessages.Encode(Channel, Recipients(messages)));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = bus.Subscribe(Channel, (notification, _) =>
        {
            notifier.Wake(notification.Missed || notification.Message == Everyone ? null : notification.Message!.Split(','));
            return Task.CompletedTask;
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    internal static string Recipients(IReadOnlyList<MailboxMessage> messages)
    {
        var text = string.Join(',', messages.Select(m => m.ToActorId).Distinct(StringComparer.Ordinal));
        return Encoding.UTF8.GetByteCount(text) <= BusMessages.MaxMessageBytes - 64 ? text : Everyone;
    }
}
