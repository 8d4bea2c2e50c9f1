using Microsoft.AspNetCore.Mvc;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Web;

namespace Mesh.Hub.Mailbox.Triggers;

/// <summary>GET /api/admin/triggers (root, acting as root).</summary>
public static class TriggerEndpoints
{
    public static RouteGroupBuilder MapTriggerEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/triggers", ListTriggersAsync);
        return admin;
    }

    public static Task<IResult> ListTriggersAsync(TriggerService triggers, CancellationToken cancellationToken, [FromQuery(Name = "include_inactive")] bool? includeInactive = null) => MailboxRest.Guard(async () =>
    {
        var response = await triggers.TimeTriggerListAsync(ActorService.RootCaller, new TimeTriggerListRequest { IncludeInactive = includeInactive ?? false }, cancellationToken);
        return Results.Json(new TriggerList(response.Triggers.Select(t => new TriggerBody(t.Id, t.ActorId, t.CreatedBy, t.Cron, MailboxRest.Time(t.NextDueUnixMs), t.Message, t.Channel, t.Status, t.FireCount, MailboxRest.Time(t.LastFiredUnixMs)))),
            TriggerApiJson.Default.TriggerList);
    });
}

public sealed record TriggerBody(ulong TriggerId, string ActorId, string CreatedBy, string Cron, DateTimeOffset? NextDue, string Message, string Channel, string Status, uint FireCount, DateTimeOffset? LastFired);

public sealed record TriggerList(IEnumerable<TriggerBody> Triggers);

/// <summary>The triggers' REST shapes (snake_case, as AdminJson), source-generated for Native AOT.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(TriggerList))]
internal sealed partial class TriggerApiJson : System.Text.Json.Serialization.JsonSerializerContext;
