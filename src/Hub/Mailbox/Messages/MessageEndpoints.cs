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
        return Results.Json(new ActorList(actors.List().Select(a => ActorEndpoints.ActorJson(a, counts.GetValueOrDefault(a.Id), nodes))), MessageApiJson.Default.ActorList);
    }

    public static async Task<IResult> GetActorAsync(string id, MessageService messages, ActorService actors, IPlacementNodes nodes, CancellationToken cancellationToken) =>
        actors.Find(id) is { } actor
            ? Results.Json(ActorEndpoints.ActorJson(actor, await messages.CountPendingAsync(id, cancellationToken), nodes), ActorApiJson.Default.ActorBody)
            : MailboxRest.NotFound($"no actor '{id}'");

    public static Task<IResult> InboxAsync(string id, MessageService messages, ActorService actors, CancellationToken cancellationToken, [FromQuery] uint? limit = null, [FromQuery(Name = "after_id")] ulong? afterId = null, [FromQuery(Name = "include_delivered")] bool? includeDelivered = null) => MailboxRest.Guard(async () =>
    {
        var response = await messages.InboxAsync(ActorService.RootCaller, new InboxRequest { ActorId = id, Limit = limit ?? 100, AfterId = afterId ?? 0, IncludeDelivered = includeDelivered ?? false }, cancellationToken);
        return Results.Json(new InboxBody(response.Messages.Select(MessageJson), response.PendingCount), MessageApiJson.Default.InboxBody);
    });

    public static async Task<IResult> ListTeamsAsync(MessageService messages, ActorService actors, IPlacementNodes nodes, CancellationToken cancellationToken)
    {
        var counts = await messages.CountPendingByActorAsync(cancellationToken);
        var teams = actors.List().Where(a => a.TeamId is not null).GroupBy(a => a.TeamId!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new TeamBody(g.Key, g.Select(a => ActorEndpoints.ActorJson(a, counts.GetValueOrDefault(a.Id), nodes))));
        return Results.Json(new TeamList(teams), MessageApiJson.Default.TeamList);
    }

    public static Task<IResult> SendAsync(HttpRequest http, MessageService messages, ActorService actors, CancellationToken cancellationToken) => MailboxRest.Guard(async () =>
    {
        var body = await MailboxRest.ReadBodyAsync(http, MessageApiJson.Default.SendMessageRequest, cancellationToken);
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
        return Results.Json(new SentBody(response.MessageId, response.MessageIds.ToArray(), response.Recipients.ToArray(), response.Duplicate, response.Status == MessageStatus.Delivered ? "delivered" : "pending",
            MailboxRest.Null(response.HandledBy), MailboxRest.Null(request.ConversationId), response.AffinityBroken, MailboxRest.Null(response.AffinityNotice)),
            MessageApiJson.Default.SentBody, statusCode: response.Duplicate ? StatusCodes.Status200OK : StatusCodes.Status201Created);
    });

    public static MessageBody MessageJson(MailboxMessage m) => new(
        m.Id, m.FromActorId, m.ToActorId, MailboxRest.Null(m.TeamId), MailboxRest.Null(m.RunId), m.Channel, m.PayloadKind == PayloadKind.Json ? "json" : "text", m.Payload,
        MailboxRest.Null(m.IdempotencyKey), MailboxRest.Time(m.CreatedAtUnixMs), m.Status == MessageStatus.Delivered ? "delivered" : "pending", MailboxRest.Time(m.DeliveredAtUnixMs),
        MailboxRest.Null(m.ConversationId), MailboxRest.Null(m.AffinityNotice));
}

/// <summary>A stored message as the REST API shows it.</summary>
public sealed record MessageBody(ulong Id, string From, string To, string? TeamId, string? RunId, string Channel, string PayloadKind, string Payload, string? IdempotencyKey,
    DateTimeOffset? CreatedAt, string Status, DateTimeOffset? DeliveredAt, string? ConversationId, string? AffinityNotice);

public sealed record ActorList(IEnumerable<ActorBody> Actors);

public sealed record InboxBody(IEnumerable<MessageBody> Messages, ulong PendingCount);

public sealed record TeamBody(string TeamId, IEnumerable<ActorBody> Members);

public sealed record TeamList(IEnumerable<TeamBody> Teams);

public sealed record SentBody(ulong MessageId, ulong[] MessageIds, string[] Recipients, bool Duplicate, string Status, string? HandledBy, string? ConversationId, bool AffinityBroken, string? AffinityNotice);

/// <summary>The messages' REST shapes (snake_case, as AdminJson), source-generated for Native AOT.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ActorList))]
[System.Text.Json.Serialization.JsonSerializable(typeof(InboxBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(TeamList))]
[System.Text.Json.Serialization.JsonSerializable(typeof(SentBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(MessageBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(MessageEndpoints.SendMessageRequest))]
public sealed partial class MessageApiJson : System.Text.Json.Serialization.JsonSerializerContext;
