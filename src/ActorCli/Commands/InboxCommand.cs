using System.CommandLine;
using Mesh.ActorCli.Output;
using Mesh.Core.Protocol;
using Grpc.Core;

namespace Mesh.ActorCli.Commands;

/// <summary>actor inbox: list (or --watch) the acting actor's messages.</summary>
internal static class InboxCommand
{
    public static Command Create(RunFactory run)
    {
        var runId = Options.RunId();
        var channel = new Option<string?>("--channel") { Description = "Only messages of this channel." };
        var limit = new Option<int>("--limit") { Description = "At most this many messages (1-1000).", DefaultValueFactory = _ => 100 };
        var afterId = new Option<ulong>("--after-id") { Description = "Only messages with a higher id (paging, resuming)." };
        var includeDelivered = new Option<bool>("--include-delivered") { Description = "Also list messages already acked." };
        var autoAck = new Option<bool>("--auto-ack") { Description = "Mark the listed messages delivered (each is handed out once)." };
        var watch = new Option<bool>("--watch") { Description = "Keep running and print new messages as they arrive (one JSON object per line with --json)." };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 1000)
                r.AddError("--limit must be from 1 to 1000.");
        });

        var command = new Command("inbox", "List the messages in your inbox (pending ones unless --include-delivered).")
        {
            runId, channel, limit, afterId, includeDelivered, autoAck, watch,
        };
        command.SetAction(run(async (result, context, ct) =>
        {
            if (result.GetValue(watch))
            {
                if (result.GetValue(includeDelivered))
                    throw new UsageException("--watch streams pending and new messages; it does not go with --include-delivered.");
                return await WatchAsync(context, new WatchRequest
                {
                    ActorId = context.ActorId,
                    AfterId = result.GetValue(afterId),
                    RunId = result.GetValue(runId) ?? string.Empty,
                    Channel = result.GetValue(channel) ?? string.Empty,
                }, result.GetValue(autoAck), ct);
            }

            using var client = context.CreateClient();
            var response = await client.CallAsync((api, o) => api.InboxAsync(new InboxRequest
            {
                ActorId = context.ActorId,
                Limit = (uint)result.GetValue(limit),
                AfterId = result.GetValue(afterId),
                IncludeDelivered = result.GetValue(includeDelivered),
                AutoAck = result.GetValue(autoAck),
                RunId = result.GetValue(runId) ?? string.Empty,
                Channel = result.GetValue(channel) ?? string.Empty,
            }, o), ct);
            Print(context, response);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void Print(CliContext context, InboxResponse response)
    {
        if (context.Json)
        {
            context.Out.WriteLine(JsonOut.Render(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("messages");
                foreach (var message in response.Messages)
                    JsonOut.Message(w, message);
                w.WriteEndArray();
                w.WriteNumber("pending_count", response.PendingCount);
                w.WriteEndObject();
            }));
            return;
        }

        var table = new Table("ID", "FROM", "CHANNEL", "RUN", "STATUS", "CREATED", "PAYLOAD");
        foreach (var m in response.Messages)
            table.Add(Row(m));
        if (table.Count > 0)
            table.WriteTo(context.Out);
        context.Out.WriteLine($"{response.Messages.Count} message(s) listed, {response.PendingCount} pending.");
    }

    private static string[] Row(MailboxMessage m) =>
        [m.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), m.FromActorId, m.Channel, m.RunId.Length == 0 ? "-" : m.RunId,
            JsonOut.Status(m.Status), JsonOut.Time(m.CreatedAtUnixMs), Table.Cell(m.Payload)];

    private static async Task<int> WatchAsync(CliContext context, WatchRequest request, bool autoAck, CancellationToken cancellationToken)
    {
        using var client = context.CreateClient();
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var call = client.Watch(request, cancellationToken);
                while (await call.ResponseStream.MoveNext(cancellationToken))
                {
                    var message = call.ResponseStream.Current;
                    if (autoAck)
                    {
                        await client.CallAsync((api, o) => api.AckAsync(new AckRequest { ActorId = request.ActorId, MessageIds = { message.Id } }, o), cancellationToken);
                        message.Status = MessageStatus.Delivered;
                    }

                    if (context.Json)
                        context.Out.WriteLine(JsonOut.Render(w => JsonOut.Message(w, message)));
                    else
                        context.Out.WriteLine(string.Join("  ", Row(message)));
                    context.Out.Flush();
                    request.AfterId = message.Id;
                    backoff = TimeSpan.FromMilliseconds(250);
                }

                return ExitCodes.Ok; // the endpoint ended the stream (shutdown)
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && !cancellationToken.IsCancellationRequested)
            {
                // The hub restarted or the watcher fell behind: resume after the last printed id.
                context.Err.WriteLine($"actor: watch interrupted ({ex.Status.Detail}); reconnecting in {backoff.TotalSeconds:0.##} s");
                await Task.Delay(backoff, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }

        return ExitCodes.Ok;
    }
}
