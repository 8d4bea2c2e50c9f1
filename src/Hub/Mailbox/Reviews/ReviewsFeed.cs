using Mesh.Hub.Live;
using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Reviews;

/// <summary>
/// The reviews page's live feed: the id of each review asked, answered or cancelled. Its readers share the mailbox
/// pages' cap (<see cref="MailboxStreams.Gate"/>).
/// </summary>
public sealed class ReviewsFeed(MailboxStreams streams)
{
    /// <summary>Changes kept for readers; the page re-renders both lists on any batch, so a gap costs nothing.</summary>
    public const int Capacity = 256;

    public LiveFeed<ulong> Feed { get; } = new(Capacity, streams.Gate);

    public void ReviewChanged(ulong reviewId) => Feed.Publish(reviewId);
}
