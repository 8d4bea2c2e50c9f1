using System.CommandLine;
using System.Text.Json;
using Mesh.ActorCli.Output;
using Mesh.Core.Protocol;

namespace Mesh.ActorCli.Commands;

/// <summary>actor send: one message to an actor, to an agent (one of its runs, by conversation), or to every member of a team channel.</summary>
internal static class SendCommand
{
    public static Command Create(RunFactory run)
    {
        var toActor = new Option<string?>("--to-actor-id") { Description = "Recipient actor." };
        var toAgent = new Option<string?>("--to-agent") { Description = "Recipient agent: the hub picks one of its live runs (replicas)." };
        var conversation = new Option<string?>("--conversation") { Description = "With --to-agent: every message of this conversation goes to the same replica." };
        var team = new Option<string?>("--channel-id") { Description = "Team channel: every member of this team but you." };
        var text = new Option<string?>("--text") { Description = "Payload text." };
        var textFile = new Option<string?>("--text-file") { Description = "Payload text read from a file ('-' for stdin)." };
        var json = new Option<string?>("--payload-json") { Description = "Payload JSON (checked before sending)." };
        var jsonFile = new Option<string?>("--payload-file") { Description = "Payload JSON read from a file ('-' for stdin)." };
        var runId = Options.RunId();
        var channel = new Option<string?>("--channel") { Description = "Channel name (default 'default')." };
        var key = new Option<string?>("--idempotency-key") { Description = "Sending again with the same key returns the first message id and stores nothing." };
        var command = new Command("send", "Send a message as yourself.") { toActor, toAgent, conversation, team, text, textFile, json, jsonFile, runId, channel, key };
        command.SetAction(run(async (result, context, ct) =>
        {
            Options.RequireOne(result, toActor, toAgent, team);
            Options.RequireOne(result, text, textFile, json, jsonFile);
            var request = new SendRequest
            {
                ActorId = context.ActorId,
                RunId = context.RunIdOr(result.GetValue(runId)),
                Channel = result.GetValue(channel) ?? string.Empty,
                IdempotencyKey = result.GetValue(key) ?? string.Empty,
                ConversationId = result.GetValue(conversation) ?? string.Empty,
            };
            if (result.GetValue(toActor) is { } to)
                request.ToActorId = to;
            else if (result.GetValue(toAgent) is { } agent)
                request.ToAgentId = agent;
            else
                request.TeamId = result.GetValue(team)!;

            if (result.GetValue(text) is { } t)
            {
                request.Payload = t;
            }
            else if (result.GetValue(textFile) is { } tf)
            {
                request.Payload = Read(tf, "--text-file");
            }
            else
            {
                var (payload, option) = result.GetValue(json) is { } j ? (j, "--payload-json") : (Read(result.GetValue(jsonFile)!, "--payload-file"), "--payload-file");
                CheckJson(payload, option);
                request.Payload = payload;
                request.PayloadKind = PayloadKind.Json;
            }

            using var client = context.CreateClient();
            var response = await client.CallAsync((api, o) => api.SendAsync(request, o), ct);
            if (context.Json)
            {
                context.Out.WriteLine(JsonOut.Render(w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("message_id", response.MessageId);
                    w.WriteString("status", response.Queued ? "queued" : JsonOut.Status(response.Status));
                    w.WriteBoolean("duplicate", response.Duplicate);
                    w.WriteBoolean("queued", response.Queued);
                    w.WriteStartArray("message_ids");
                    foreach (var id in response.MessageIds)
                        w.WriteNumberValue(id);
                    w.WriteEndArray();
                    w.WriteStartArray("recipients");
                    foreach (var r in response.Recipients)
                        w.WriteStringValue(r);
                    w.WriteEndArray();
                    if (response.HandledBy.Length > 0)
                        w.WriteString("handled_by", response.HandledBy);
                    if (request.ConversationId.Length > 0)
                        w.WriteString("conversation", request.ConversationId);
                    w.WriteBoolean("affinity_broken", response.AffinityBroken);
                    if (response.AffinityNotice.Length > 0)
                        w.WriteString("affinity_notice", response.AffinityNotice);
                    w.WriteEndObject();
                }));
            }
            else if (response.Queued)
            {
                context.Out.WriteLine("queued in the node's outbox: the hub is unreachable; it is delivered when the hub is back");
            }
            else
            {
                var what = response.Duplicate ? "already sent (same idempotency key): message" : "sent message";
                context.Out.WriteLine($"{what} {string.Join(", ", response.MessageIds)} to {string.Join(", ", response.Recipients)} ({JsonOut.Status(response.Status)})");
                if (response.AffinityNotice.Length > 0)
                    context.Out.WriteLine(response.AffinityNotice);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Read(string path, string option) => path == "-" ? Console.In.ReadToEnd() : Options.ReadFile(path, option);

    private static void CheckJson(string payload, string option)
    {
        try
        {
            using var _ = JsonDocument.Parse(payload);
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{option} is not valid JSON: {ex.Message} Use --text for plain text.");
        }
    }
}
