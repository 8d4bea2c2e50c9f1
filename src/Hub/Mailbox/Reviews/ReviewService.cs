using System.Text.Json;
using Mesh.Core.Auth;
using Mesh.Core.Configuration;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;

namespace Mesh.Hub.Mailbox.Reviews;

/// <summary>
/// Permission reviews for one authenticated caller: ask, answer or cancel, list, wait. The asker's team's reviewers
/// (or its leads) are told on the permission channel; the asker hears the answer there too.
/// </summary>
public sealed class ReviewService(IReviewStore store, IMessageStore messages, ActorService actors, ReviewWaiters waiters, ReviewsFeed feed, MailboxOptions options)
{
    public const string PermissionChannel = "permission";
    private const int MaxOptions = 16;
    private const int MaxListed = 1000;

    public async Task<PermissionReview> PermissionRequestAsync(CallerIdentity caller, PermissionRequestRequest request, CancellationToken cancellationToken)
    {
        var asker = actors.Resolve(caller, request.ActorId);
        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > 200)
            throw new MailboxException(MailboxError.InvalidArgument, "a permission request needs --title of 1 to 200 characters.");
        MailboxInput.CheckPayload(request.Details, PayloadKind.Text, options);
        if (request.Options.Count == 0 || request.Options.Count > MaxOptions)
            throw new MailboxException(MailboxError.InvalidArgument, $"give 1 to {MaxOptions} options as --option ID=LABEL (e.g. --option allow=Allow --option deny=Deny).");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var option in request.Options)
        {
            if (!NodeIds.IsValid(option.Id, out _) && !(option.Id.Length == 1 && char.IsAsciiLetterOrDigit(option.Id[0])))
                throw new MailboxException(MailboxError.InvalidArgument, $"option id '{option.Id}' must be 1-64 characters of [A-Za-z0-9._-].");
            if (!ids.Add(option.Id))
                throw new MailboxException(MailboxError.InvalidArgument, $"option id '{option.Id}' appears twice.");
            if (string.IsNullOrWhiteSpace(option.Label) || option.Label.Length > 200)
                throw new MailboxException(MailboxError.InvalidArgument, $"option '{option.Id}' needs a label of 1 to 200 characters.");
        }

        var review = await store.AddReviewAsync(
            new NewReview(asker.Id, asker.Actor!.TeamId, request.Title, request.Details, request.Options, MailboxInput.CheckName(request.RunId, "run_id")),
            cancellationToken);
        var reviewers = Reviewers(review);
        if (reviewers.Count > 0)
        {
            var payload = JsonSerializer.Serialize(new ReviewNotice("permission_request", review.Id, review.Title, review.Details, review.AskerActorId, null, null, null,
                review.Options.Select(o => new ReviewNoticeOption(o.Id, o.Label)).ToArray()), ReviewNoticeJson.Default.ReviewNotice);
            await messages.SendAsync(new NewMessage(asker.Id, reviewers, review.TeamId.Length == 0 ? null : review.TeamId, MailboxInput.NullIfEmpty(review.RunId),
                PermissionChannel, payload, PayloadKind.Json, $"permission-request:{review.Id}"), cancellationToken);
        }

        feed.ReviewChanged(review.Id);
        return WithReviewers(review);
    }

    public async Task<PermissionReview> PermissionRespondAsync(CallerIdentity caller, PermissionRespondRequest request, CancellationToken cancellationToken)
    {
        var responder = actors.Resolve(caller, request.ActorId, rootMayActAsItself: true);
        var review = await GetReviewAsync(request.PermissionId, cancellationToken);
        var cancel = request.AnswerCase == PermissionRespondRequest.AnswerOneofCase.Cancel && request.Cancel;
        if (!cancel && request.AnswerCase != PermissionRespondRequest.AnswerOneofCase.OptionId)
            throw new MailboxException(MailboxError.InvalidArgument, "answer with --option-id ID or --outcome cancelled.");
        var mayAnswer = responder.IsRoot || Reviewers(review).Contains(responder.Id);
        var mayCancel = mayAnswer || responder.Id == review.AskerActorId;
        if (!(cancel ? mayCancel : mayAnswer))
        {
            throw new MailboxException(MailboxError.PermissionDenied,
                $"actor '{responder.Id}' is not a reviewer of permission review {review.Id}" + (responder.Id == review.AskerActorId ? " (the asker may only cancel it)." : "; its team's reviewers or root answer it."));
        }

        var answered = await store.AnswerReviewAsync(review.Id, cancel ? null : request.OptionId, responder.Id, cancellationToken);
        waiters.Changed(answered.Id);
        feed.ReviewChanged(answered.Id);
        var payload = JsonSerializer.Serialize(new ReviewNotice("permission_answer", answered.Id, answered.Title, null, answered.AskerActorId, answered.Status,
            MailboxInput.NullIfEmpty(answered.OptionId), answered.AnsweredBy, null), ReviewNoticeJson.Default.ReviewNotice);
        if (responder.Id != answered.AskerActorId && actors.Find(answered.AskerActorId) is not null)
        {
            await messages.SendAsync(new NewMessage(responder.Id, [answered.AskerActorId], null, MailboxInput.NullIfEmpty(answered.RunId), PermissionChannel, payload,
                PayloadKind.Json, $"permission-answer:{answered.Id}"), cancellationToken);
        }

        return WithReviewers(answered);
    }

    public async Task<PermissionListResponse> PermissionListAsync(CallerIdentity caller, PermissionListRequest request, CancellationToken cancellationToken)
    {
        var acting = actors.Resolve(caller, request.ActorId, rootMayActAsItself: true);
        var response = new PermissionListResponse();
        foreach (var review in await store.ListReviewsAsync(request.IncludeClosed, cancellationToken))
        {
            if (acting.IsRoot || review.AskerActorId == acting.Id || Reviewers(review).Contains(acting.Id))
                response.Reviews.Add(WithReviewers(review));
        }

        return response;
    }

    /// <summary>Waits until the review is no longer pending or <paramref name="maxWait"/> passes; returns its state then.</summary>
    /// <param name="stopping">Ends the wait early (hub shutdown): the review is returned as it is.</param>
    public async Task<PermissionReview> PermissionWaitAsync(CallerIdentity caller, PermissionWaitRequest request, TimeSpan maxWait, CancellationToken cancellationToken, CancellationToken stopping = default)
    {
        var acting = actors.Resolve(caller, request.ActorId, rootMayActAsItself: true);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        timeout.CancelAfter(maxWait);
        while (true)
        {
            var changed = waiters.NextChange(request.PermissionId);
            var review = await GetReviewAsync(request.PermissionId, cancellationToken);
            if (!acting.IsRoot && review.AskerActorId != acting.Id && !Reviewers(review).Contains(acting.Id))
                throw new MailboxException(MailboxError.PermissionDenied, $"permission review {review.Id} is neither asked by nor assigned to actor '{acting.Id}'.");
            if (review.Status != ReviewStatus.Pending)
                return WithReviewers(review);
            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return WithReviewers(review);
            }
        }
    }

    private async Task<PermissionReview> GetReviewAsync(ulong id, CancellationToken cancellationToken) =>
        await store.GetReviewAsync(id, cancellationToken)
        ?? throw new MailboxException(MailboxError.NotFound, $"permission review {id} does not exist. List reviews with PermissionList.");

    /// <summary>The asker's team's reviewers; leads when the team has no reviewer; nobody (root only) without a team.</summary>
    private List<string> Reviewers(PermissionReview review)
    {
        if (review.TeamId.Length == 0)
            return [];
        var members = actors.TeamMembers(review.TeamId).Where(m => m.Id != review.AskerActorId).ToList();
        var reviewers = members.Where(m => m.TeamRole == TeamRoles.Reviewer).Select(m => m.Id).ToList();
        return reviewers.Count > 0 ? reviewers : members.Where(m => m.TeamRole == TeamRoles.Lead).Select(m => m.Id).ToList();
    }

    private PermissionReview WithReviewers(PermissionReview review)
    {
        review.Reviewers.Clear();
        review.Reviewers.Add(Reviewers(review));
        return review;
    }

    /// <summary>The newest answered or cancelled reviews, with their assigned reviewers, newest first.</summary>
    public async Task<IReadOnlyList<PermissionReview>> RecentClosedReviewsAsync(int limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxListed)
            throw new MailboxException(MailboxError.InvalidArgument, $"limit {limit} is out of range: use 1 to {MaxListed}.");
        var reviews = await store.ListRecentClosedReviewsAsync(limit, cancellationToken);
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
        return await PermissionRespondAsync(ActorService.RootCaller, request, cancellationToken);
    }
}

internal sealed record ReviewNoticeOption(string Id, string Label);

internal sealed record ReviewNotice(
    string Type, ulong PermissionId, string Title, string? Details, string Asker, string? Status, string? OptionId, string? AnsweredBy, ReviewNoticeOption[]? Options);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ReviewNotice))]
internal sealed partial class ReviewNoticeJson : System.Text.Json.Serialization.JsonSerializerContext;
