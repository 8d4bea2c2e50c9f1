using System.CommandLine;
using System.Text.Json;
using Mesh.ActorCli.Output;
using Mesh.Core.Protocol;
using Grpc.Core;

namespace Mesh.ActorCli.Commands;

/// <summary>actor ack: mark messages delivered, one result per --message-id.</summary>
internal static class AckCommand
{
    public static Command Create(RunFactory run)
    {
        var ids = new Option<ulong[]>("--message-id") { Description = "A message to ack; repeat for several.", Required = true, AllowMultipleArgumentsPerToken = false };
        var command = new Command("ack", "Acknowledge messages you consumed (idempotent).") { ids };
        command.SetAction(run(async (result, context, ct) =>
        {
            var messageIds = result.GetValue(ids) ?? [];
            using var client = context.CreateClient();
            var outcomes = new List<ItemOutcome>();
            foreach (var id in messageIds)
            {
                try
                {
                    var response = await client.CallAsync((api, o) => api.AckAsync(new AckRequest { ActorId = context.ActorId, MessageIds = { id } }, o), ct);
                    outcomes.Add(new ItemOutcome(id, response.Acked == 1 ? "delivered" : "already_delivered", null));
                }
                catch (RpcException ex)
                {
                    outcomes.Add(new ItemOutcome(id, null, ex));
                }
            }

            return ItemOutcome.Print(context, outcomes, "message_id", single: messageIds.Length == 1, (w, o) => w.WriteString("status", o.Status));
        }));
        return command;
    }
}

/// <summary>The result of one item of a repeated command (ack, permission-review-respond).</summary>
internal sealed record ItemOutcome(ulong Id, string? Status, RpcException? Error, PermissionReview? Review = null)
{
    public static int Print(CliContext context, IReadOnlyList<ItemOutcome> outcomes, string idName, bool single, Action<Utf8JsonWriter, ItemOutcome> writeSuccess)
    {
        if (single && outcomes[0].Error is { } only)
            return context.Report(only, $"{idName.Replace('_', ' ')} {outcomes[0].Id}");

        if (context.Json)
        {
            context.Out.WriteLine(JsonOut.Render(w =>
            {
                if (!single)
                    w.WriteStartArray();
                foreach (var outcome in outcomes)
                {
                    w.WriteStartObject();
                    w.WriteNumber(idName, outcome.Id);
                    w.WriteBoolean("ok", outcome.Error is null);
                    if (outcome.Error is { } error)
                    {
                        w.WriteString("code", CliContext.CodeName(error.StatusCode));
                        w.WriteString("error", error.Status.Detail);
                    }
                    else
                    {
                        writeSuccess(w, outcome);
                    }

                    w.WriteEndObject();
                }

                if (!single)
                    w.WriteEndArray();
            }));
        }
        else
        {
            foreach (var outcome in outcomes)
            {
                if (outcome.Error is { } error)
                    context.Err.WriteLine($"error: {idName.Replace('_', ' ')} {outcome.Id}: {context.Describe(error)}");
                else
                    context.Out.WriteLine($"{outcome.Id}: {outcome.Status}");
            }
        }

        var failures = outcomes.Where(o => o.Error is not null).Select(o => o.Error!).ToList();
        if (failures.Count == 0)
            return ExitCodes.Ok;
        return failures.All(f => CliContext.ExitCodeOf(f) == ExitCodes.Unreachable) ? ExitCodes.Unreachable : ExitCodes.Failed;
    }
}
