using Microsoft.AspNetCore.Mvc;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Web;

namespace Mesh.Hub.Mailbox.Messages;

/// <summary>GET /api/admin/actors[/{id}[/messages]], GET /api/admin/teams and POST /api/admin/messages (root, acting as root).</summary>
public static class MessageEndpoints
{
    public sealed record SendMessageRequest(string? From, string? ToActorId, string? TeamId, string? Text, System.Text.Json.JsonElement? PayloadJson, string? Channel, string? RunId, string? IdempotencyKey, string? ToAgentId = null, string? ConversationId = null);

    public static RouteGroupBuilder MapMessageEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/actors", ListActorsAsync);
        admin.MapGet("/actors/{id}", GetActorAsync);
        admin.MapGet("/actors/{id}/messages", InboxAsync);
        admin.MapGet("/teams", ListTeamsAsync);
        admin.MapPost("/messages", SendAsync);
        return admin;
    }

    public static async Task<IResult> ListActorsAsync(MessageService messages, ActorService actors, IPlacementNodes nodes, CancellationToken cancellationToken)
    {
        var counts = await messages.CountPendingByActorAsync(cancellationToken);
        return Results.Json(new { Actors = actors.List().Select(a => ActorEndpoints.ActorJson(a, counts.GetValueOrDefault(a.Id), nodes)) }, AdminJson.Options);
    }

    public static async Task<IResult> GetActorAsync(string id, MessageService messages, ActorService actors, IPlacementNodes nodes, CancellationToken cancellationToken) =>
        actors.Find(id) is { } actor
            ? Results.Json(ActorEndpoints.ActorJson(actor, await messages.CountPendingAsync(id, cancellationToken), nodes), AdminJson.Options)
            : MailboxRest.NotFound($"no actor '{id}'");

    public static Task<IResult> InboxAsync(string id, MessageService messages, ActorService actors, CancellationToken cancellationToken, [FromQuery] uint? limit = null, [FromQuery(Name = "after_id")] ulong? afterId = null, [FromQuery(Name = "include_delivered")] bool? includeDelivered = null) => MailboxRest.Guard(async () =>
    {
        var response = await messages.InboxAsync(ActorService.RootCaller, new InboxRequest { ActorId = id, Limit = limit ?? 100, AfterId = afterId ?? 0, IncludeDelivered = includeDelivered ?? false }, cancellationToken);
        return Results.Json(new { Messages = response.Messages.Select(MessageJson), response.PendingCount }, AdminJson.Options);
    });

    public static async Task<IResult> ListTeamsAsync(MessageService messages, ActorService actors, IPlacementNodes nodes, CancellationToken cancellationToken)
    {
        var counts = await messages.CountPendingByActorAsync(cancellationToken);
        var teams = actors.List().Where(a => a.TeamId is not null).GroupBy(a => a.TeamId!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new { TeamId = g.Key, Members = g.Select(a => ActorEndpoints.ActorJson(a, counts.GetValueOrDefault(a.Id), nodes)) });
        return Results.Json(new { Teams = teams }, AdminJson.Options);
    }

    public static Task<IResult> SendAsync(HttpRequest http, MessageService messages, ActorService actors, CancellationToken cancellationToken) => MailboxRest.Guard(async () =>
    {
        var body = await MailboxRest.ReadBodyAsync<SendMessageRequest>(http, cancellationToken);
        if (body is null)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["send {\"to_actor_id\", \"to_agent_id\" or \"team_id\", \"text\" or \"payload_json\"}."] });
        if (new[] { body.ToActorId, body.ToAgentId, body.TeamId }.Count(t => t is not null) > 1)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["to_actor_id"] = ["give one recipient: to_actor_id, to_agent_id or team_id."] });
        if ((body.Text is null) == (body.PayloadJson is null))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["text"] = ["give exactly one of text and payload_json."] });
        var request = new SendRequest
        {
            ActorId = body.From ?? string.Empty,
            Channel = body.Channel ?? string.Empty,
            RunId = body.RunId ?? string.Empty,
            IdempotencyKey = body.IdempotencyKey ?? string.Empty,
            ConversationId = body.ConversationId ?? string.Empty,
            Payload = body.Text ?? body.PayloadJson!.Value.GetRawText(),
            PayloadKind = body.Text is null ? PayloadKind.Json : PayloadKind.Text,
        };
        if (body.ToActorId is not null)
            request.ToActorId = body.ToActorId;
        else if (body.ToAgentId is not null)
            request.ToAgentId = body.ToAgentId;
        else if (body.TeamId is not null)
            request.TeamId = body.TeamId;
        var response = await messages.SendAsync(ActorService.RootCaller, request, cancellationToken);
        return Results.Json(new { response.MessageId, MessageIds = response.MessageIds.ToArray(), Recipients = response.Recipients.ToArray(), response.Duplicate, Status = response.Status == MessageStatus.Delivered ? "delivered" : "pending",
            HandledBy = MailboxRest.Null(response.HandledBy), ConversationId = MailboxRest.Null(request.ConversationId), response.AffinityBroken, AffinityNotice = MailboxRest.Null(response.AffinityNotice) },
            AdminJson.Options, statusCode: response.Duplicate ? StatusCodes.Status200OK : StatusCodes.Status201Created);
    });

    public static object MessageJson(MailboxMessage m) => new
    {
        m.Id,
        From = m.FromActorId,
        To = m.ToActorId,
        TeamId = MailboxRest.Null(m.TeamId),
        RunId = MailboxRest.Null(m.RunId),
        m.Channel,
        PayloadKind = m.PayloadKind == PayloadKind.Json ? "json" : "text",
        m.Payload,
        IdempotencyKey = MailboxRest.Null(m.IdempotencyKey),
        CreatedAt = MailboxRest.Time(m.CreatedAtUnixMs),
        Status = m.Status == MessageStatus.Delivered ? "delivered" : "pending",
        DeliveredAt = MailboxRest.Time(m.DeliveredAtUnixMs),
        ConversationId = MailboxRest.Null(m.ConversationId),
        AffinityNotice = MailboxRest.Null(m.AffinityNotice),
    };
}
