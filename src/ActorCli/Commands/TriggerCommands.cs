using System.CommandLine;
using System.Globalization;
using Mesh.ActorCli.Output;
using Mesh.Core.Protocol;

namespace Mesh.ActorCli.Commands;

/// <summary>actor time-trigger-set / -list / -cancel: messages the hub delivers to you later or on a schedule.</summary>
internal static class TriggerCommands
{
    public static IEnumerable<Command> Create(RunFactory run)
    {
        yield return Set(run);
        yield return List(run);
        yield return Cancel(run);
    }

    private static Command Set(RunFactory run)
    {
        var delay = new Option<long?>("--delay-seconds") { Description = "Deliver once, this many seconds from now (1 to 2592000 = 30 days)." };
        var cron = new Option<string?>("--cron") { Description = "Deliver on a 5-field cron schedule in UTC, e.g. '*/15 9-17 * * mon-fri'." };
        var message = new Option<string>("--message") { Description = "The text to deliver.", Required = true };
        var channel = new Option<string?>("--channel") { Description = "Channel of the delivered message (default 'trigger')." };
        var runId = Options.RunId();
        var command = new Command("time-trigger-set", "Have the hub send you a message later (--delay-seconds) or on a schedule (--cron).") { delay, cron, message, channel, runId };
        command.SetAction(run(async (result, context, ct) =>
        {
            Options.RequireOne(result, delay, cron);
            var request = new TimeTriggerSetRequest
            {
                ActorId = context.ActorId,
                Message = result.GetValue(message)!,
                Channel = result.GetValue(channel) ?? string.Empty,
                RunId = context.RunIdOr(result.GetValue(runId)),
            };
            if (result.GetValue(delay) is { } seconds)
                request.DelaySeconds = seconds;
            else
                request.Cron = result.GetValue(cron)!;
            using var client = context.CreateClient();
            Print(context, [await client.CallAsync((api, o) => api.TimeTriggerSetAsync(request, o), ct)], single: true);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List(RunFactory run)
    {
        var all = new Option<bool>("--include-inactive") { Description = "Also list fired and cancelled triggers." };
        var command = new Command("time-trigger-list", "List your time triggers (all actors' with a root token and no --actor-id).") { all };
        command.SetAction(run(async (result, context, ct) =>
        {
            using var client = context.CreateClient();
            var response = await client.CallAsync((api, o) => api.TimeTriggerListAsync(new TimeTriggerListRequest { ActorId = context.ActorId, IncludeInactive = result.GetValue(all) }, o), ct);
            Print(context, [.. response.Triggers], single: false);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Cancel(RunFactory run)
    {
        var id = new Option<ulong>("--trigger-id") { Description = "The trigger to cancel.", Required = true };
        var command = new Command("time-trigger-cancel", "Cancel one of your time triggers.") { id };
        command.SetAction(run(async (result, context, ct) =>
        {
            using var client = context.CreateClient();
            Print(context, [await client.CallAsync((api, o) => api.TimeTriggerCancelAsync(new TimeTriggerCancelRequest { ActorId = context.ActorId, TriggerId = result.GetValue(id) }, o), ct)], single: true);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void Print(CliContext context, TimeTrigger[] triggers, bool single)
    {
        if (context.Json)
        {
            context.Out.WriteLine(JsonOut.Render(w =>
            {
                if (single)
                {
                    JsonOut.Trigger(w, triggers[0]);
                    return;
                }

                w.WriteStartObject();
                w.WriteStartArray("triggers");
                foreach (var t in triggers)
                    JsonOut.Trigger(w, t);
                w.WriteEndArray();
                w.WriteEndObject();
            }));
            return;
        }

        var table = new Table("ID", "ACTOR", "STATUS", "SCHEDULE", "NEXT DUE", "FIRED", "MESSAGE");
        foreach (var t in triggers)
        {
            table.Add(t.Id.ToString(CultureInfo.InvariantCulture), t.ActorId, t.Status, t.Cron.Length == 0 ? "once" : t.Cron,
                t.NextDueUnixMs == 0 ? "-" : JsonOut.Time(t.NextDueUnixMs), t.FireCount.ToString(CultureInfo.InvariantCulture), Table.Cell(t.Message));
        }

        table.WriteTo(context.Out);
    }
}
