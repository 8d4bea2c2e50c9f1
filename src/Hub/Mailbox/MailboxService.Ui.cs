using Mesh.Core.Auth;
using Mesh.Core.Protocol;

namespace Mesh.Hub.Mailbox;

/// <summary>What the web UI needs beyond the gRPC/REST calls: newest-first reads and a change signal for reviews.</summary>
public sealed partial class MailboxService
{
    /// <summary>The operator acting in the UI (or over REST): root, acting as itself.</summary>
    public static CallerIdentity RootCaller { get; } = new(CallerScope.Root, ActingActor.RootId, null, string.Empty, DateTimeOffset.MaxValue);

    /// <summary>
    /// Raised after a permission review was created, answered or cancelled (from the calling thread; handlers must
    /// be quick). The UI's reviews stream wakes on it.
    /// </summary>
    public event Action? ReviewsChanged;

    internal void OnReviewsChanged() => ReviewsChanged?.Invoke();

    /// <summary>An actor's newest messages, pending and delivered, newest first; NOT_FOUND for an unknown actor.</summary>
    public Task<IReadOnlyList<MailboxMessage>> LatestMessagesAsync(string actorId, int limit, CancellationToken cancellationToken)
    {
        if (_store.FindActor(actorId) is null)
            throw new MailboxException(MailboxError.NotFound, $"actor '{actorId}' does not exist.");
        if (limit is < 1 or > MaxInboxLimit)
            throw new MailboxException(MailboxError.InvalidArgument, $"limit {limit} is out of range: use 1 to {MaxInboxLimit}.");
        return _store.ReadLatestAsync(actorId, limit, cancellationToken);
    }

    /// <summary>The newest answered or cancelled reviews, with their assigned reviewers, newest first.</summary>
    public async Task<IReadOnlyList<PermissionReview>> RecentClosedReviewsAsync(int limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxInboxLimit)
            throw new MailboxException(MailboxError.InvalidArgument, $"limit {limit} is out of range: use 1 to {MaxInboxLimit}.");
        var reviews = await _store.ListRecentClosedReviewsAsync(limit, cancellationToken);
        foreach (var review in reviews)
            WithReviewers(review);
        return reviews;
    }

    /// <summary>Root answers (or, with a null option, cancels) a review; the same checks and notices as PermissionRespond.</summary>
    public async Task<PermissionReview> RespondAsRootAsync(ulong reviewId, string? optionId, CancellationToken cancellationToken)
    {
        var request = new PermissionRespondRequest { PermissionId = reviewId };
        if (optionId is null)
            request.Cancel = true;
        else
            request.OptionId = optionId;
        return await PermissionRespondAsync(RootCaller, request, cancellationToken);
    }
}
