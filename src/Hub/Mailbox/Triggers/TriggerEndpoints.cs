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
        return Results.Json(new { Triggers = response.Triggers.Select(t => new { TriggerId = t.Id, t.ActorId, t.CreatedBy, t.Cron, NextDue = MailboxRest.Time(t.NextDueUnixMs), t.Message, t.Channel, t.Status, t.FireCount, LastFired = MailboxRest.Time(t.LastFiredUnixMs) }) }, AdminJson.Options);
    });
}
