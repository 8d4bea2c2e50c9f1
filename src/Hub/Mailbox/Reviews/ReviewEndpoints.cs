using Microsoft.AspNetCore.Mvc;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Web;

namespace Mesh.Hub.Mailbox.Reviews;

/// <summary>GET /api/admin/reviews and POST /api/admin/reviews/{id}/respond (root, acting as root).</summary>
public static class ReviewEndpoints
{
    public sealed record RespondRequest(string? OptionId, string? Outcome);

    public static RouteGroupBuilder MapReviewEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/reviews", ListReviewsAsync);
        admin.MapPost("/reviews/{id}/respond", RespondAsync);
        return admin;
    }

    public static Task<IResult> ListReviewsAsync(ReviewService reviews, CancellationToken cancellationToken, [FromQuery(Name = "include_closed")] bool? includeClosed = null) => MailboxRest.Guard(async () =>
    {
        var response = await reviews.PermissionListAsync(ActorService.RootCaller, new PermissionListRequest { IncludeClosed = includeClosed ?? false }, cancellationToken);
        return Results.Json(new ReviewList(response.Reviews.Select(ReviewJson)), ReviewApiJson.Default.ReviewList);
    });

    public static Task<IResult> RespondAsync(ulong id, HttpRequest http, ReviewService reviews, CancellationToken cancellationToken) => MailboxRest.Guard(async () =>
    {
        var body = await MailboxRest.ReadBodyAsync(http, ReviewApiJson.Default.RespondRequest, cancellationToken);
        var request = new PermissionRespondRequest { PermissionId = id };
        if (body?.OptionId is { } option && body.Outcome is null)
            request.OptionId = option;
        else if (body?.Outcome == "cancelled" && body.OptionId is null)
            request.Cancel = true;
        else
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["option_id"] = ["give option_id, or outcome \"cancelled\"."] });
        return Results.Json(ReviewJson(await reviews.PermissionRespondAsync(ActorService.RootCaller, request, cancellationToken)), ReviewApiJson.Default.ReviewBody);
    });

    private static ReviewBody ReviewJson(PermissionReview r) => new(
        r.Id, r.AskerActorId, MailboxRest.Null(r.TeamId), r.Title, r.Details, r.Options.Select(o => new ReviewOptionBody(o.Id, o.Label)), r.Status,
        MailboxRest.Null(r.OptionId), MailboxRest.Null(r.AnsweredBy), r.Reviewers.ToArray(), MailboxRest.Time(r.CreatedAtUnixMs), MailboxRest.Time(r.AnsweredAtUnixMs));
}

public sealed record ReviewOptionBody(string Id, string Label);

/// <summary>A permission review as the REST API shows it.</summary>
public sealed record ReviewBody(ulong PermissionId, string Asker, string? TeamId, string Title, string Details, IEnumerable<ReviewOptionBody> Options, string Status,
    string? OptionId, string? AnsweredBy, string[] Reviewers, DateTimeOffset? CreatedAt, DateTimeOffset? AnsweredAt);

public sealed record ReviewList(IEnumerable<ReviewBody> Reviews);

/// <summary>The reviews' REST shapes (snake_case, as AdminJson), source-generated for Native AOT.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ReviewList))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ReviewBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ReviewEndpoints.RespondRequest))]
internal sealed partial class ReviewApiJson : System.Text.Json.Serialization.JsonSerializerContext;
