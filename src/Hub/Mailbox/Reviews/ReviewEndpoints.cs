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
        return Results.Json(new { Reviews = response.Reviews.Select(ReviewJson) }, AdminJson.Options);
    });

    public static Task<IResult> RespondAsync(ulong id, HttpRequest http, ReviewService reviews, CancellationToken cancellationToken) => MailboxRest.Guard(async () =>
    {
        var body = await MailboxRest.ReadBodyAsync<RespondRequest>(http, cancellationToken);
        var request = new PermissionRespondRequest { PermissionId = id };
        if (body?.OptionId is { } option && body.Outcome is null)
            request.OptionId = option;
        else if (body?.Outcome == "cancelled" && body.OptionId is null)
            request.Cancel = true;
        else
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["option_id"] = ["give option_id, or outcome \"cancelled\"."] });
        return Results.Json(ReviewJson(await reviews.PermissionRespondAsync(ActorService.RootCaller, request, cancellationToken)), AdminJson.Options);
    });

    private static object ReviewJson(PermissionReview r) => new
    {
        PermissionId = r.Id,
        Asker = r.AskerActorId,
        TeamId = MailboxRest.Null(r.TeamId),
        r.Title,
        r.Details,
        Options = r.Options.Select(o => new { o.Id, o.Label }),
        r.Status,
        OptionId = MailboxRest.Null(r.OptionId),
        AnsweredBy = MailboxRest.Null(r.AnsweredBy),
        Reviewers = r.Reviewers.ToArray(),
        CreatedAt = MailboxRest.Time(r.CreatedAtUnixMs),
        AnsweredAt = MailboxRest.Time(r.AnsweredAtUnixMs),
    };
}
