using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Schedules;
using Mesh.Hub.Web;

namespace Mesh.Hub.Agents;

/// <summary>/api/admin/agents/{id}/schedules: create, list (with next fire times), delete, and a schedule's fires.</summary>
internal static class AgentScheduleEndpoints
{
    public static RouteGroupBuilder MapAgentScheduleEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPost("/agents/{id}/schedules", (string id, ScheduleService schedules, HttpContext http) => Guard(async () =>
        {
            ScheduleRequest body;
            try
            {
                body = await http.Request.ReadFromJsonAsync<ScheduleRequest>(AgentJson.Strict, http.RequestAborted)
                    ?? throw new MailboxException(MailboxError.InvalidArgument, "send a JSON object.");
            }
            catch (System.Text.Json.JsonException ex)
            {
                throw new MailboxException(MailboxError.InvalidArgument, "the request body is not valid JSON: " + ex.Message);
            }

            return Results.Json(Json(await schedules.CreateAsync(id, body, http.RequestAborted)), AdminJson.Options, statusCode: StatusCodes.Status201Created);
        }));
        admin.MapGet("/agents/{id}/schedules", (string id, ScheduleService schedules, HttpContext http) => Guard(async () =>
            Results.Json(new { Schedules = (await schedules.ListAsync(id, http.RequestAborted)).Select(Json) }, AdminJson.Options)));
        admin.MapDelete("/agents/{id}/schedules/{schedule}", (string id, string schedule, ScheduleService schedules, HttpContext http) => Guard(async () =>
        {
            await schedules.DeleteAsync(id, schedule, http.RequestAborted);
            return Results.NoContent();
        }));
        admin.MapGet("/agents/{id}/schedules/{schedule}/fires", (string id, string schedule, int? limit, ScheduleService schedules, HttpContext http) => Guard(async () =>
            Results.Json(new { Fires = (await schedules.FiresAsync(schedule, limit ?? 100, http.RequestAborted)).Select(f => new
            {
                f.FireTime,
                f.CatchUp,
                f.State,
                f.Replica,
                f.LeaseUntil,
                f.Attempts,
                f.DeliveredTo,
            }) }, AdminJson.Options)));
        return admin;
    }

    public static object Json(ScheduleDefinition s) => new
    {
        s.Id,
        s.AgentId,
        s.Cron,
        Every = s.EveryMs is { } ms ? Core.Configuration.DurationText.Format(TimeSpan.FromMilliseconds(ms)) : null,
        s.Mode,
        s.CatchUp,
        s.Payload,
        s.Channel,
        LeaseSeconds = s.LeaseMs / 1000,
        s.NextFire,
        s.CreatedAt,
    };

    private static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (MailboxException ex)
        {
            return ex.Error switch
            {
                MailboxError.NotFound => Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: ex.Message),
                MailboxError.AlreadyExists => Results.Problem(statusCode: StatusCodes.Status409Conflict, detail: ex.Message),
                _ => Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: ex.Message),
            };
        }
    }
}
