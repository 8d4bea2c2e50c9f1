using Microsoft.AspNetCore.Mvc;
using Mesh.Core.Auth;
using Mesh.Core.Protocol;
using Mesh.Hub.AdminApi;

namespace Mesh.Hub.Mailbox;

/// <summary>
/// Root REST endpoints for actors, teams, messages, triggers and reviews, mapped on the /api/admin group (which
/// requires the root policy). Every call acts as root through <see cref="MailboxService"/>.
/// </summary>
public static class MailboxAdminApi
{
    private static readonly CallerIdentity Root = new(CallerScope.Root, ActingActor.RootId, null, string.Empty, DateTimeOffset.MaxValue);

    public sealed record CreateActorRequest(string? Id, string? Name, string? TeamId, string? Role, string? Placement);

    public sealed record SendMessageRequest(string? From, string? ToActorId, string? TeamId, string? Text, System.Text.Json.JsonElement? PayloadJson, string? Channel, string? RunId, string? IdempotencyKey);

    public sealed record RespondRequest(string? OptionId, string? Outcome);

    public static RouteGroupBuilder MapMailboxAdminApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/actors", CreateActorAsync);
        admin.MapGet("/actors", ListActorsAsync);
        admin.MapGet("/actors/{id}", GetActorAsync);
        admin.MapDelete("/actors/{id}", DeleteActorAsync);
        admin.MapGet("/actors/{id}/messages", InboxAsync);
        admin.MapGet("/teams", ListTeamsAsync);
        admin.MapPost("/messages", SendAsync);
        admin.MapGet("/triggers", ListTriggersAsync);
        admin.MapGet("/reviews", ListReviewsAsync);
        admin.MapPost("/reviews/{id}/respond", RespondAsync);
        return admin;
    }

    public static Task<IResult> CreateActorAsync(HttpRequest http, MailboxService mailbox, CancellationToken cancellationToken) => Guard(async () =>
    {
        var body = await ReadAsync<CreateActorRequest>(http, cancellationToken);
        if (body?.Id is null)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["id"] = ["an actor needs an id: 2-64 characters of [A-Za-z0-9._-]."] });
        var actor = await mailbox.CreateActorAsync(body.Id, body.Name, body.TeamId, body.Role, body.Placement, cancellationToken);
        return Results.Json(ActorJson(actor, 0), AdminJson.Options, statusCode: StatusCodes.Status201Created);
    });

    public static async Task<IResult> ListActorsAsync(MailboxService mailbox, CancellationToken cancellationToken)
    {
        var counts = await mailbox.Store.CountPendingByActorAsync(cancellationToken);
        return Results.Json(new { Actors = mailbox.Store.ListActors().Select(a => ActorJson(a, counts.GetValueOrDefault(a.Id))) }, AdminJson.Options);
    }

    public static async Task<IResult> GetActorAsync(string id, MailboxService mailbox, CancellationToken cancellationToken) =>
        mailbox.Store.FindActor(id) is { } actor
            ? Results.Json(ActorJson(actor, await mailbox.Store.CountPendingAsync(id, cancellationToken)), AdminJson.Options)
            : NotFound($"no actor '{id}'");

    public static Task<IResult> DeleteActorAsync(string id, MailboxService mailbox, CancellationToken cancellationToken) => Guard(async () =>
    {
        await mailbox.DeleteActorAsync(id, cancellationToken);
        return Results.NoContent();
    });

    public static Task<IResult> InboxAsync(string id, MailboxService mailbox, CancellationToken cancellationToken, [FromQuery] uint? limit = null, [FromQuery(Name = "after_id")] ulong? afterId = null, [FromQuery(Name = "include_delivered")] bool? includeDelivered = null) => Guard(async () =>
    {
        var response = await mailbox.InboxAsync(Root, new InboxRequest { ActorId = id, Limit = limit ?? 100, AfterId = afterId ?? 0, IncludeDelivered = includeDelivered ?? false }, cancellationToken);
        return Results.Json(new { Messages = response.Messages.Select(MessageJson), response.PendingCount }, AdminJson.Options);
    });

    public static async Task<IResult> ListTeamsAsync(MailboxService mailbox, CancellationToken cancellationToken)
    {
        var counts = await mailbox.Store.CountPendingByActorAsync(cancellationToken);
        var teams = mailbox.Store.ListActors().Where(a => a.TeamId is not null).GroupBy(a => a.TeamId!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new { TeamId = g.Key, Members = g.Select(a => ActorJson(a, counts.GetValueOrDefault(a.Id))) });
        return Results.Json(new { Teams = teams }, AdminJson.Options);
    }

    public static Task<IResult> SendAsync(HttpRequest http, MailboxService mailbox, CancellationToken cancellationToken) => Guard(async () =>
    {
        var body = await ReadAsync<SendMessageRequest>(http, cancellationToken);
        if (body is null)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["send {\"to_actor_id\" or \"team_id\", \"text\" or \"payload_json\"}."] });
        if ((body.Text is null) == (body.PayloadJson is null))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["text"] = ["give exactly one of text and payload_json."] });
        var request = new SendRequest
        {
            ActorId = body.From ?? string.Empty,
            Channel = body.Channel ?? string.Empty,
            RunId = body.RunId ?? string.Empty,
            IdempotencyKey = body.IdempotencyKey ?? string.Empty,
            Payload = body.Text ?? body.PayloadJson!.Value.GetRawText(),
            PayloadKind = body.Text is null ? PayloadKind.Json : PayloadKind.Text,
        };
        if (body.ToActorId is not null)
            request.ToActorId = body.ToActorId;
        else if (body.TeamId is not null)
            request.TeamId = body.TeamId;
        var response = await mailbox.SendAsync(Root, request, cancellationToken);
        return Results.Json(new { response.MessageId, MessageIds = response.MessageIds.ToArray(), Recipients = response.Recipients.ToArray(), response.Duplicate, Status = response.Status == MessageStatus.Delivered ? "delivered" : "pending" },
            AdminJson.Options, statusCode: response.Duplicate ? StatusCodes.Status200OK : StatusCodes.Status201Created);
    });

    public static Task<IResult> ListTriggersAsync(MailboxService mailbox, CancellationToken cancellationToken, [FromQuery(Name = "include_inactive")] bool? includeInactive = null) => Guard(async () =>
    {
        var response = await mailbox.TimeTriggerListAsync(Root, new TimeTriggerListRequest { IncludeInactive = includeInactive ?? false }, cancellationToken);
        return Results.Json(new { Triggers = response.Triggers.Select(t => new { TriggerId = t.Id, t.ActorId, t.CreatedBy, t.Cron, NextDue = Time(t.NextDueUnixMs), t.Message, t.Channel, t.Status, t.FireCount, LastFired = Time(t.LastFiredUnixMs) }) }, AdminJson.Options);
    });

    public static Task<IResult> ListReviewsAsync(MailboxService mailbox, CancellationToken cancellationToken, [FromQuery(Name = "include_closed")] bool? includeClosed = null) => Guard(async () =>
    {
        var response = await mailbox.PermissionListAsync(Root, new PermissionListRequest { IncludeClosed = includeClosed ?? false }, cancellationToken);
        return Results.Json(new { Reviews = response.Reviews.Select(ReviewJson) }, AdminJson.Options);
    });

    public static Task<IResult> RespondAsync(ulong id, HttpRequest http, MailboxService mailbox, CancellationToken cancellationToken) => Guard(async () =>
    {
        var body = await ReadAsync<RespondRequest>(http, cancellationToken);
        var request = new PermissionRespondRequest { PermissionId = id };
        if (body?.OptionId is { } option && body.Outcome is null)
            request.OptionId = option;
        else if (body?.Outcome == "cancelled" && body.OptionId is null)
            request.Cancel = true;
        else
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["option_id"] = ["give option_id, or outcome \"cancelled\"."] });
        return Results.Json(ReviewJson(await mailbox.PermissionRespondAsync(Root, request, cancellationToken)), AdminJson.Options);
    });

    /// <summary>The HTTP status of a refusal.</summary>
    public static int ToHttpStatus(MailboxError error) => error switch
    {
        MailboxError.InvalidArgument => StatusCodes.Status400BadRequest,
        MailboxError.NotFound => StatusCodes.Status404NotFound,
        MailboxError.PermissionDenied => StatusCodes.Status403Forbidden,
        MailboxError.AlreadyExists or MailboxError.FailedPrecondition => StatusCodes.Status409Conflict,
        MailboxError.ResourceExhausted => StatusCodes.Status413PayloadTooLarge,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (MailboxException ex)
        {
            return Results.Problem(statusCode: ToHttpStatus(ex.Error), detail: ex.Message);
        }
    }

    /// <summary>Reads a snake_case JSON body; a malformed one is a 400 with the parser's reason.</summary>
    private static async Task<T?> ReadAsync<T>(HttpRequest http, CancellationToken cancellationToken)
        where T : class
    {
        if (http.ContentLength == 0)
            return null;
        try
        {
            return await http.ReadFromJsonAsync<T>(AdminJson.Options, cancellationToken);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new MailboxException(MailboxError.InvalidArgument, "the request body is not valid JSON: " + ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            throw new MailboxException(MailboxError.InvalidArgument, "send a JSON body with content-type application/json: " + ex.Message);
        }
    }

    private static IResult NotFound(string detail) => Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: detail);

    private static object ActorJson(ActorRecord a, long pending) => new { a.Id, a.Name, a.TeamId, Role = a.TeamRole, Placement = a.Placement.ToString(), a.CreatedAt, PendingCount = pending };

    private static object MessageJson(MailboxMessage m) => new
    {
        m.Id,
        From = m.FromActorId,
        To = m.ToActorId,
        TeamId = Null(m.TeamId),
        RunId = Null(m.RunId),
        m.Channel,
        PayloadKind = m.PayloadKind == PayloadKind.Json ? "json" : "text",
        m.Payload,
        IdempotencyKey = Null(m.IdempotencyKey),
        CreatedAt = Time(m.CreatedAtUnixMs),
        Status = m.Status == MessageStatus.Delivered ? "delivered" : "pending",
        DeliveredAt = Time(m.DeliveredAtUnixMs),
    };

    private static object ReviewJson(PermissionReview r) => new
    {
        PermissionId = r.Id,
        Asker = r.AskerActorId,
        TeamId = Null(r.TeamId),
        r.Title,
        r.Details,
        Options = r.Options.Select(o => new { o.Id, o.Label }),
        r.Status,
        OptionId = Null(r.OptionId),
        AnsweredBy = Null(r.AnsweredBy),
        Reviewers = r.Reviewers.ToArray(),
        CreatedAt = Time(r.CreatedAtUnixMs),
        AnsweredAt = Time(r.AnsweredAtUnixMs),
    };

    private static DateTimeOffset? Time(long unixMs) => unixMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(unixMs);

    private static string? Null(string value) => value.Length == 0 ? null : value;
}
