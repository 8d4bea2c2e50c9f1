using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Web;

namespace Mesh.Hub.Mailbox.Messages;

/// <summary>
/// Inbox rows and payloads, shared by the pages (first render) and the SSE streams (live updates). Every value an
/// actor or operator typed goes through the HTML encoder.
/// </summary>
public static class MessageHtml
{
    /// <summary>Payloads longer than this show a preview and a "show all" expansion (a &lt;details&gt;, no JS).</summary>
    public const int PreviewChars = 240;

    public static string EmptyInbox => """<tr class="empty"><td colspan="7">No messages yet.</td></tr>""";

    public static string MessageRows(IEnumerable<MailboxMessage> messages)
    {
        var html = new StringBuilder();
        foreach (var message in messages)
            html.Append(MessageRow(message));
        return html.Length == 0 ? EmptyInbox : html.ToString();
    }

    /// <param name="outOfBand">Marked for htmx to replace the row of the same id wherever it is (a status change).</param>
    public static string MessageRow(MailboxMessage m, bool outOfBand = false)
    {
        var status = m.Status == MessageStatus.Delivered ? "delivered" : "pending";
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""<tr id="msg-{m.Id}" data-status="{status}" data-from="{E(m.FromActorId)}" data-channel="{E(m.Channel)}"{(outOfBand ? " hx-swap-oob=\"true\"" : "")}>""");
        html.Append(CultureInfo.InvariantCulture, $"""<td class="num">{m.Id}</td>""");
        // The Ack button is hidden from viewers by the layout (body.role-viewer .root-only); the handler checks the role.
        var ack = m.Status == MessageStatus.Delivered ? "" :
            $""" <button type="button" class="link ack root-only" id="ack-{m.Id}" hx-post="/mailboxes/{Uri.EscapeDataString(m.ToActorId)}?handler=Ack&amp;id={m.Id}" hx-target="#msg-{m.Id}" hx-swap="outerHTML">Ack</button>""";
        html.Append(CultureInfo.InvariantCulture, $"""<td><span class="badge msg-{status}">{status}</span>{ack}</td>""");
        html.Append("<td>").Append(E(m.FromActorId)).Append(m.TeamId.Length > 0 ? $""" <span class="tag" title="team channel">{E(m.TeamId)}</span>""" : "").Append("</td>");
        html.Append("<td>").Append(E(m.Channel)).Append("</td>");
        html.Append("<td>").Append(m.RunId.Length > 0 ? E(m.RunId) : """<span class="muted">—</span>""").Append("</td>");
        html.Append("<td>").Append(Time(m.CreatedAtUnixMs)).Append("</td>");
        html.Append("<td>").Append(PayloadCell(m)).Append("</td>");
        html.Append("</tr>");
        return html.ToString();
    }

    // A JSON payload is parsed once for both its display forms and its review link.
    private static string PayloadCell(MailboxMessage m)
    {
        if (m.PayloadKind != PayloadKind.Json)
            return Payload(m.Payload, "text");
        using var document = Parse(m.Payload);
        return document is null ? Payload(m.Payload, "json", null) : Payload(m.Payload, "json", JsonForms(document.RootElement)) + ReviewLink(document.RootElement);
    }

    /// <summary>
    /// A permission request or answer (the reviews' notices: JSON with type and permission_id) links to its review on
    /// /reviews: a request to its card among the pending ones, an answer to its row among the closed ones.
    /// </summary>
    private static string ReviewLink(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() is "permission_request" or "permission_answer"
        && root.TryGetProperty("permission_id", out var id) && id.ValueKind == JsonValueKind.Number && id.TryGetUInt64(out var reviewId)
            ? string.Create(CultureInfo.InvariantCulture,
                $""" <a class="review-link" href="/reviews#{(type.GetString() == "permission_answer" ? "closed-review" : "review")}-{reviewId}">review {reviewId}</a>""")
            : "";

    /// <summary>
    /// A payload as text: short ones whole, long ones as a preview with the full text in a &lt;details&gt;. A JSON
    /// object or array opens pretty-printed (indented), with its compact text as the preview.
    /// </summary>
    public static string Payload(string payload, string kind)
    {
        if (kind != "json")
            return Payload(payload, kind, null);
        using var document = Parse(payload);
        return Payload(payload, kind, document is null ? null : JsonForms(document.RootElement));
    }

    private static string Payload(string payload, string kind, (string Indented, string Compact)? json)
    {
        var label = kind == "json" ? """<span class="tag">json</span> """ : "";
        if (json is null && payload.Length <= PreviewChars && !payload.Contains('\n', StringComparison.Ordinal))
            return $"""{label}<code class="payload">{E(payload)}</code>""";
        var compact = json?.Compact ?? payload;
        var preview = compact.Length <= PreviewChars ? compact : compact[..PreviewChars];
        var newline = preview.IndexOf('\n', StringComparison.Ordinal);
        if (newline >= 0)
            preview = preview[..newline];
        // A JSON value shown whole in the preview only opens to its indented form.
        var more = preview.Length == compact.Length ? " <span class=\"more\">formatted</span>" : $"… <span class=\"more\">show all ({Size(Encoding.UTF8.GetByteCount(payload))})</span>";
        return $"""{label}<details class="payload"><summary><code>{E(preview)}</code>{more}</summary><pre class="payload">{E(json?.Indented ?? payload)}</pre></details>""";
    }

    private static readonly JsonWriterOptions IndentedJson = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions CompactJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Write(JsonElement element, JsonWriterOptions options)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, options))
            element.WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static JsonDocument? Parse(string payload)
    {
        try
        {
            return JsonDocument.Parse(payload);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // An object or array with something in it, indented and on one line; null for a scalar, {}, [] (shown as text).
    private static (string Indented, string Compact)? JsonForms(JsonElement root)
    {
        var empty = root.ValueKind switch
        {
            JsonValueKind.Object => !root.EnumerateObject().Any(),
            JsonValueKind.Array => root.GetArrayLength() == 0,
            _ => true,
        };
        return empty ? null : (Write(root, IndentedJson), Write(root, CompactJson));
    }

    public static string ActorLink(string actorId) =>
        actorId == ActingActor.RootId ? "root" : $"""<a href="/mailboxes/{Uri.EscapeDataString(actorId)}">{E(actorId)}</a>""";

    public static string Time(long unixMs) =>
        unixMs == 0 ? """<span class="muted">—</span>""" : HtmlText.Time(DateTimeOffset.FromUnixTimeMilliseconds(unixMs), DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));

    public static string Size(int bytes) => bytes < 1024 ? bytes.ToString(CultureInfo.InvariantCulture) + " bytes" : HtmlText.Bytes(bytes);

    private static string E(string value) => HtmlText.E(value);
}
