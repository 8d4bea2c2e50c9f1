using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mesh.Core.Protocol;

namespace Mesh.ActorCli.Output;

/// <summary>JSON renderings of the API's objects (snake_case, times as ISO-8601 UTC, JSON payloads inline).</summary>
internal static class JsonOut
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public static string Render(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
            write(writer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static void Message(Utf8JsonWriter w, MailboxMessage m)
    {
        w.WriteStartObject();
        w.WriteNumber("id", m.Id);
        w.WriteString("from", m.FromActorId);
        w.WriteString("to", m.ToActorId);
        NullableString(w, "team_id", m.TeamId);
        NullableString(w, "run_id", m.RunId);
        w.WriteString("channel", m.Channel);
        w.WriteString("payload_kind", m.PayloadKind == PayloadKind.Json ? "json" : "text");
        w.WritePropertyName("payload");
        if (m.PayloadKind == PayloadKind.Json && IsJson(m.Payload))
            w.WriteRawValue(m.Payload, skipInputValidation: true);
        else
            w.WriteStringValue(m.Payload);
        NullableString(w, "idempotency_key", m.IdempotencyKey);
        NullableString(w, "conversation_id", m.ConversationId);
        NullableString(w, "affinity_notice", m.AffinityNotice);
        w.WriteString("created_at", Time(m.CreatedAtUnixMs));
        w.WriteString("status", Status(m.Status));
        if (m.DeliveredAtUnixMs != 0)
            w.WriteString("delivered_at", Time(m.DeliveredAtUnixMs));
        else
            w.WriteNull("delivered_at");
        w.WriteEndObject();
    }

    public static void Trigger(Utf8JsonWriter w, TimeTrigger t)
    {
        w.WriteStartObject();
        w.WriteNumber("trigger_id", t.Id);
        w.WriteString("actor_id", t.ActorId);
        w.WriteString("created_by", t.CreatedBy);
        NullableString(w, "cron", t.Cron);
        if (t.NextDueUnixMs != 0)
            w.WriteString("next_due", Time(t.NextDueUnixMs));
        else
            w.WriteNull("next_due");
        w.WriteString("message", t.Message);
        w.WriteString("channel", t.Channel);
        NullableString(w, "run_id", t.RunId);
        w.WriteString("status", t.Status);
        w.WriteNumber("fire_count", t.FireCount);
        if (t.LastFiredUnixMs != 0)
            w.WriteString("last_fired", Time(t.LastFiredUnixMs));
        else
            w.WriteNull("last_fired");
        w.WriteString("created_at", Time(t.CreatedAtUnixMs));
        w.WriteEndObject();
    }

    public static void Review(Utf8JsonWriter w, PermissionReview r)
    {
        w.WriteStartObject();
        w.WriteNumber("permission_id", r.Id);
        w.WriteString("asker", r.AskerActorId);
        NullableString(w, "team_id", r.TeamId);
        w.WriteString("title", r.Title);
        w.WriteString("details", r.Details);
        w.WriteStartArray("options");
        foreach (var o in r.Options)
        {
            w.WriteStartObject();
            w.WriteString("id", o.Id);
            w.WriteString("label", o.Label);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("status", r.Status);
        NullableString(w, "option_id", r.OptionId);
        NullableString(w, "answered_by", r.AnsweredBy);
        w.WriteStartArray("reviewers");
        foreach (var reviewer in r.Reviewers)
            w.WriteStringValue(reviewer);
        w.WriteEndArray();
        NullableString(w, "run_id", r.RunId);
        w.WriteString("created_at", Time(r.CreatedAtUnixMs));
        if (r.AnsweredAtUnixMs != 0)
            w.WriteString("answered_at", Time(r.AnsweredAtUnixMs));
        else
            w.WriteNull("answered_at");
        w.WriteEndObject();
    }

    public static string Status(MessageStatus status) => status == MessageStatus.Delivered ? "delivered" : "pending";

    public static string Time(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static void NullableString(Utf8JsonWriter w, string name, string value)
    {
        if (value.Length == 0)
            w.WriteNull(name);
        else
            w.WriteString(name, value);
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
