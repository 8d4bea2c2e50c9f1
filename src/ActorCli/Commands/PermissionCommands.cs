using System.CommandLine;
using System.Globalization;
using Mesh.ActorCli.Output;
using Mesh.Core.Protocol;
using Grpc.Core;

namespace Mesh.ActorCli.Commands;

/// <summary>actor permission-request / permission-review-respond / permission-list.</summary>
internal static class PermissionCommands
{
    public static IEnumerable<Command> Create(RunFactory run)
    {
        yield return Request(run);
        yield return Respond(run);
        yield return List(run);
    }

    private static Command Request(RunFactory run)
    {
        var title = new Option<string>("--title") { Description = "What you ask permission for.", Required = true };
        var details = new Option<string?>("--details") { Description = "Context for the reviewer." };
        var options = new Option<string[]>("--option") { Description = "An answer the reviewer may pick, ID=LABEL (e.g. allow=Allow); repeat.", Required = true };
        var wait = new Option<bool>("--wait") { Description = "Wait until the review is answered or cancelled, then print it." };
        var runId = Options.RunId();
        var command = new Command("permission-request", "Ask your team's reviewer (or root) for permission.") { title, details, options, wait, runId };
        command.SetAction(run(async (result, context, ct) =>
        {
            var request = new PermissionRequestRequest
            {
                ActorId = context.ActorId,
                Title = result.GetValue(title)!,
                Details = result.GetValue(details) ?? string.Empty,
                RunId = context.RunIdOr(result.GetValue(runId)),
            };
            foreach (var option in result.GetValue(options) ?? [])
            {
                var eq = option.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || eq == option.Length - 1)
                    throw new UsageException($"--option '{option}' is not ID=LABEL, e.g. --option allow=Allow.");
                request.Options.Add(new PermissionOption { Id = option[..eq], Label = option[(eq + 1)..] });
            }

            using var client = context.CreateClient();
            var review = await client.CallAsync((api, o) => api.PermissionRequestAsync(request, o), ct);
            while (result.GetValue(wait) && review.Status == "pending")
            {
                review = await client.CallAsync((api, o) => api.PermissionWaitAsync(new PermissionWaitRequest { ActorId = context.ActorId, PermissionId = review.Id }, o), ct,
                    TimeSpan.FromSeconds(Math.Max(context.Values.TimeoutSeconds, 30)));
            }

            PrintOne(context, review);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Respond(RunFactory run)
    {
        var ids = new Option<ulong[]>("--permission-id") { Description = "The review to answer; repeat for several.", Required = true };
        var optionId = new Option<string?>("--option-id") { Description = "The option you choose." };
        var outcome = new Option<string?>("--outcome") { Description = "'cancelled' to cancel the review instead of answering." };
        outcome.AcceptOnlyFromAmong("cancelled");
        var command = new Command("permission-review-respond", "Answer permission reviews assigned to you (reviewer or root).") { ids, optionId, outcome };
        command.SetAction(run(async (result, context, ct) =>
        {
            Options.RequireOne(result, optionId, outcome);
            var permissionIds = result.GetValue(ids) ?? [];
            using var client = context.CreateClient();
            var outcomes = new List<ItemOutcome>();
            foreach (var id in permissionIds)
            {
                var request = new PermissionRespondRequest { ActorId = context.ActorId, PermissionId = id };
                if (result.GetValue(optionId) is { } chosen)
                    request.OptionId = chosen;
                else
                    request.Cancel = true;
                try
                {
                    var review = await client.CallAsync((api, o) => api.PermissionRespondAsync(request, o), ct);
                    outcomes.Add(new ItemOutcome(id, review.Status, null, review));
                }
                catch (RpcException ex)
                {
                    outcomes.Add(new ItemOutcome(id, null, ex));
                }
            }

            return ItemOutcome.Print(context, outcomes, "permission_id", single: permissionIds.Length == 1, (w, o) =>
            {
                w.WriteString("status", o.Status);
                if (o.Review!.OptionId.Length > 0)
                    w.WriteString("option_id", o.Review.OptionId);
                w.WriteString("answered_by", o.Review.AnsweredBy);
            });
        }));
        return command;
    }

    private static Command List(RunFactory run)
    {
        var closed = new Option<bool>("--include-closed") { Description = "Also list answered and cancelled reviews." };
        var command = new Command("permission-list", "List permission reviews you asked for or may answer.") { closed };
        command.SetAction(run(async (result, context, ct) =>
        {
            using var client = context.CreateClient();
            var response = await client.CallAsync((api, o) => api.PermissionListAsync(new PermissionListRequest { ActorId = context.ActorId, IncludeClosed = result.GetValue(closed) }, o), ct);
            if (context.Json)
            {
                context.Out.WriteLine(JsonOut.Render(w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("reviews");
                    foreach (var review in response.Reviews)
                        JsonOut.Review(w, review);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }));
            }
            else
            {
                var table = new Table("ID", "ASKER", "STATUS", "ANSWER", "OPTIONS", "TITLE");
                foreach (var r in response.Reviews)
                {
                    table.Add(r.Id.ToString(CultureInfo.InvariantCulture), r.AskerActorId, r.Status, r.OptionId.Length == 0 ? "-" : r.OptionId,
                        string.Join(",", r.Options.Select(o => o.Id)), Table.Cell(r.Title));
                }

                table.WriteTo(context.Out);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void PrintOne(CliContext context, PermissionReview review)
    {
        if (context.Json)
        {
            context.Out.WriteLine(JsonOut.Render(w => JsonOut.Review(w, review)));
            return;
        }

        context.Out.WriteLine($"permission review {review.Id}: {review.Status}" + (review.OptionId.Length > 0 ? $" → {review.OptionId} (by {review.AnsweredBy})" : string.Empty));
        context.Out.WriteLine($"  {review.Title}");
        context.Out.WriteLine($"  options: {string.Join(", ", review.Options.Select(o => $"{o.Id}={o.Label}"))}");
        if (review.Reviewers.Count > 0)
            context.Out.WriteLine($"  reviewers: {string.Join(", ", review.Reviewers)} (and root)");
    }
}
