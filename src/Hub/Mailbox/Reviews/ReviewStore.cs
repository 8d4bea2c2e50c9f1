using System.Data.Common;
using System.Text.Json;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Mailbox.Reviews;

/// <summary>
/// Permission reviews on the mailbox tables (SQLite or PostgreSQL); an answer is checked and stored in one write, by
/// an UPDATE that changes only a pending review, so of two answers racing on two hubs one wins and the other is refused.
/// </summary>
public sealed class ReviewStore(MailboxDatabase database) : IReviewStore
{
    private const string ReviewColumns = "id, asker, team_id, title, details, options, status, option_id, answered_by, created_at, answered_at, run_id";

    public Task<PermissionReview> AddReviewAsync(NewReview review, CancellationToken cancellationToken) => database.WriteAsync(batch =>
    {
        var options = JsonSerializer.Serialize(review.Options.Select(o => new[] { o.Id, o.Label }).ToArray(), ReviewJson.Default.StringArrayArray);
        var id = Convert.ToInt64(batch.Command(
                "INSERT INTO mailbox_reviews (asker, team_id, title, details, options, status, created_at, run_id) "
                + "VALUES (@asker, @team, @title, @details, @options, 'pending', @at, @run) RETURNING id")
            .Set("@asker", review.Asker).Set("@team", review.TeamId).Set("@title", review.Title).Set("@details", review.Details)
            .Set("@options", options).Set("@at", batch.NowUnixMs).Set("@run", review.RunId)
            .ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        return LoadReview(batch, (ulong)id)!;
    }, cancellationToken);

    public Task<PermissionReview?> GetReviewAsync(ulong reviewId, CancellationToken cancellationToken) =>
        database.QueryFirstAsync($"SELECT {ReviewColumns} FROM mailbox_reviews WHERE id = @id", command => command.With("id", (long)reviewId), ReadReview, cancellationToken);

    public Task<IReadOnlyList<PermissionReview>> ListReviewsAsync(bool includeClosed, CancellationToken cancellationToken) =>
        database.QueryAsync($"SELECT {ReviewColumns} FROM mailbox_reviews" + (includeClosed ? string.Empty : " WHERE status = 'pending'") + " ORDER BY id",
            null, ReadReview, cancellationToken);

    public Task<PermissionReview> AnswerReviewAsync(ulong reviewId, string? optionId, string answeredBy, CancellationToken cancellationToken) => database.WriteAsync(batch =>
    {
        var review = LoadReview(batch, reviewId)
            ?? throw new MailboxException(MailboxError.NotFound, $"permission review {reviewId} does not exist. List them with 'actor permission-review-respond' targets from PermissionList.");
        if (review.Status != ReviewStatus.Pending)
            throw AlreadyClosed(review);

        if (optionId is not null && review.Options.All(o => o.Id != optionId))
            throw new MailboxException(MailboxError.InvalidArgument, $"permission review {reviewId} does not offer option '{optionId}'. Choose one of: {string.Join(", ", review.Options.Select(o => o.Id))}.");

        var answered = batch.Command("UPDATE mailbox_reviews SET status = @status, option_id = @option, answered_by = @by, answered_at = @at WHERE id = @id AND status = 'pending'")
            .Set("@status", optionId is null ? ReviewStatus.Cancelled : ReviewStatus.Answered).Set("@option", optionId)
            .Set("@by", answeredBy).Set("@at", batch.NowUnixMs).Set("@id", (long)reviewId).ExecuteNonQuery();
        var stored = LoadReview(batch, reviewId)!;
        if (answered == 0)
            throw AlreadyClosed(stored);
        return stored;
    }, cancellationToken);

    private static MailboxException AlreadyClosed(PermissionReview review)
    {
        var answer = review.Status == ReviewStatus.Answered ? $"answered '{review.OptionId}'" : "cancelled";
        return new MailboxException(MailboxError.FailedPrecondition, $"permission review {review.Id} was already {answer} by {review.AnsweredBy}; an answer cannot be changed.");
    }

    private static PermissionReview? LoadReview(WriteBatch batch, ulong id)
    {
        using var reader = batch.Command($"SELECT {ReviewColumns} FROM mailbox_reviews WHERE id = @id").Set("@id", (long)id).ExecuteReader();
        return reader.Read() ? ReadReview(reader) : null;
    }

    private static PermissionReview ReadReview(DbDataReader reader)
    {
        var review = new PermissionReview
        {
            Id = (ulong)reader.GetInt64(0),
            AskerActorId = reader.GetString(1),
            TeamId = reader.IsDBNull(2) ? string.Empty : reader.GetString(2),
            Title = reader.GetString(3),
            Details = reader.GetString(4),
            Status = reader.GetString(6),
            OptionId = reader.IsDBNull(7) ? string.Empty : reader.GetString(7),
            AnsweredBy = reader.IsDBNull(8) ? string.Empty : reader.GetString(8),
            CreatedAtUnixMs = reader.GetInt64(9),
            AnsweredAtUnixMs = reader.IsDBNull(10) ? 0 : reader.GetInt64(10),
            RunId = reader.IsDBNull(11) ? string.Empty : reader.GetString(11),
        };
        foreach (var pair in JsonSerializer.Deserialize(reader.GetString(5), ReviewJson.Default.StringArrayArray) ?? [])
            review.Options.Add(new PermissionOption { Id = pair[0], Label = pair[1] });
        return review;
    }

    public Task<IReadOnlyList<PermissionReview>> ListRecentClosedReviewsAsync(int limit, CancellationToken cancellationToken) =>
        database.QueryAsync($"SELECT {ReviewColumns} FROM mailbox_reviews WHERE status IN ('answered', 'cancelled') ORDER BY id DESC LIMIT @limit",
            command => command.Set("@limit", limit), ReadReview, cancellationToken);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string[][]))]
internal sealed partial class ReviewJson : System.Text.Json.Serialization.JsonSerializerContext;
