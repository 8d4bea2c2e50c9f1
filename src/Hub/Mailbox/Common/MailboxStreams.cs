using Mesh.Hub.Live;

namespace Mesh.Hub.Mailbox.Common;

/// <summary>The Mailboxes and Reviews pages' live streams: one cap for all of them (<see cref="Gate"/>), and how often they re-check what no event announces.</summary>
public sealed class MailboxStreams
{
    public const int DefaultMaxStreams = 200;

    public MailboxStreams(int maxStreams = DefaultMaxStreams, TimeSpan? recheckInterval = null)
    {
        Gate = new LiveGate(maxStreams);
        RecheckInterval = recheckInterval ?? TimeSpan.FromSeconds(2);
    }

    public LiveGate Gate { get; }

    /// <summary>How often a stream re-reads what no event announces (acks, reviews answered elsewhere).</summary>
    public TimeSpan RecheckInterval { get; }
}
