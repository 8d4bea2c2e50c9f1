using Mesh.Core.Protocol;

namespace Mesh.Hub.Mailbox.Reviews;

/// <summary>Durable storage of permission reviews (SQLite or PostgreSQL: <see cref="ReviewStore"/>). Writes return once committed.</summary>
public interface IReviewStore
{
    Task<PermissionReview> AddReviewAsync(NewReview review, CancellationToken cancellationToken);

    Task<PermissionReview?> GetReviewAsync(ulong reviewId, CancellationToken cancellationToken);

    Task<IReadOnlyList<PermissionReview>> ListReviewsAsync(bool includeClosed, CancellationToken cancellationToken);

    /// <summary>The newest answered or cancelled reviews, newest first (the web UI's history).</summary>
    Task<IReadOnlyList<PermissionReview>> ListRecentClosedReviewsAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Answers (or, with a null option, cancels) a pending review; FAILED_PRECONDITION if it is no longer pending.</summary>
    Task<PermissionReview> AnswerReviewAsync(ulong reviewId, string? optionId, string answeredBy, CancellationToken cancellationToken);
}
