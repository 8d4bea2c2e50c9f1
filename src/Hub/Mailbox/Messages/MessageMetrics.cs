using System.Diagnostics.Metrics;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Messages;

/// <summary>
/// The mailbox's instruments: messages stored (one per recipient, counted as each commit reaches disk), messages
/// acknowledged (ack or auto-ack), and messages pending now. Pending is counted in memory — the store's count at
/// start, plus every stored message, minus every acknowledged one (no other write changes a message's status) —
/// so a scrape does not scan the table.
/// </summary>
public sealed class MessageMetrics : IMessageCommitListener
{
    private readonly Counter<long> _sent;
    private readonly Counter<long> _acked;
    private long _pending;

    public MessageMetrics(IMeterFactory meters)
    {
        var meter = HubMeter.Get(meters);
        _sent = meter.CreateCounter<long>("mesh.mailbox.messages.sent", "{message}", "Messages stored by the mailbox, one per recipient (a team message counts once per member).");
        _acked = meter.CreateCounter<long>("mesh.mailbox.messages.acked", "{message}", "Messages acknowledged by their recipient (ack, or inbox with auto-ack).");
        meter.CreateObservableGauge("mesh.mailbox.messages.pending", () => Volatile.Read(ref _pending), "{message}", "Messages stored and not yet acknowledged, all actors.");
    }

    /// <summary>The store's pending count when the mailbox opened, before any call could send or ack.</summary>
    public void StartFrom(long pending) => Interlocked.Add(ref _pending, pending);

    public void MessagesCommitted(IReadOnlyList<MailboxMessage> messages)
    {
        _sent.Add(messages.Count);
        Interlocked.Add(ref _pending, messages.Count);
    }

    internal void Acknowledged(int count)
    {
        if (count == 0)
            return;
        _acked.Add(count);
        Interlocked.Add(ref _pending, -count);
    }
}
