using System.Globalization;
using System.Text;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox;

namespace Mesh.Hub.Web.Rendering;

/// <summary>
/// Inbox rows and review cards, shared by the pages (first render) and the SSE streams (live updates). Every value
/// an actor or operator typed goes through the HTML encoder.
/// </summary>
public static class MailboxHtml
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
        html.Append(CultureInfo.InvariantCulture, $"""<tr id="msg-{m.Id}" data-status="{status}"{(outOfBand ? " hx-swap-oob=\"true\"" : "")}>""");
        html.Append(CultureInfo.InvariantCulture, $"""<td class="num">{m.Id}</td>""");
        html.Append(CultureInfo.InvariantCulture, $"""<td><span class="badge msg-{status}">{status}</span></td>""");
        html.Append("<td>").Append(E(m.FromActorId)).Append(m.TeamId.Length > 0 ? $""" <span class="tag" title="team channel">{E(m.TeamId)}</span>""" : "").Append("</td>");
        html.Append("<td>").Append(E(m.Channel)).Append("</td>");
        html.Append("<td>").Append(m.RunId.Length > 0 ? E(m.RunId) : """<span class="muted">—</span>""").Append("</td>");
        html.Append("<td>").Append(Time(m.CreatedAtUnixMs)).Append("</td>");
        html.Append("<td>").Append(Payload(m.Payload, m.PayloadKind == PayloadKind.Json ? "json" : "text")).Append("</td>");
        html.Append("</tr>");
        return html.ToString();
    }

    /// <summary>A payload as text: short ones whole, long ones as a preview with the full text in a &lt;details&gt;.</summary>
    public static string Payload(string payload, string kind)
    {
        var label = kind == "json" ? """<span class="tag">json</span> """ : "";
        if (payload.Length <= PreviewChars && !payload.Contains('\n', StringComparison.Ordinal))
            return $"""{label}<code class="payload">{E(payload)}</code>""";
        var preview = payload.Length <= PreviewChars ? payload : payload[..PreviewChars];
        var newline = preview.IndexOf('\n', StringComparison.Ordinal);
        if (newline >= 0)
            preview = preview[..newline];
        var bytes = Encoding.UTF8.GetByteCount(payload);
        return $"""{label}<details class="payload"><summary><code>{E(preview)}</code>… <span class="more">show all ({Size(bytes)})</span></summary><pre class="payload">{E(payload)}</pre></details>""";
    }

    public static string PendingReviews(IReadOnlyList<PermissionReview> reviews, bool isRoot, string antiforgeryToken)
    {
        if (reviews.Count == 0)
            return """<p class="muted empty" id="no-pending-reviews">No pending reviews.</p>""";
        var html = new StringBuilder();
        foreach (var review in reviews)
            html.Append(ReviewCard(review, isRoot, antiforgeryToken));
        return html.ToString();
    }

    public static string ReviewCard(PermissionReview r, bool isRoot, string antiforgeryToken)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""<article class="card review" id="review-{r.Id}" data-status="{E(r.Status)}">""");
        html.Append(CultureInfo.InvariantCulture, $"""<h3><span class="muted">#{r.Id}</span> {E(r.Title)}</h3>""");
        html.Append("""<dl class="facts">""");
        html.Append("<dt>Asker</dt><dd>").Append(ActorLink(r.AskerActorId)).Append("</dd>");
        html.Append("<dt>Team</dt><dd>").Append(r.TeamId.Length > 0 ? E(r.TeamId) : """<span class="muted">none</span>""").Append("</dd>");
        html.Append("<dt>Reviewers</dt><dd>").Append(r.Reviewers.Count > 0 ? string.Join(", ", r.Reviewers.Select(ActorLink)) : """<span class="muted">root only</span>""").Append("</dd>");
        html.Append("<dt>Created</dt><dd>").Append(Time(r.CreatedAtUnixMs)).Append("</dd>");
        if (r.RunId.Length > 0)
            html.Append("<dt>Run</dt><dd>").Append(E(r.RunId)).Append("</dd>");
        html.Append("<dt>Options</dt><dd>").Append(string.Join(" ", r.Options.Select(o => $"""<span class="tag">{E(o.Id)}</span> {E(o.Label)}"""))).Append("</dd>");
        html.Append("</dl>");
        if (r.Details.Length > 0)
            html.Append("""<div class="details">""").Append(Payload(r.Details, "text")).Append("</div>");
        if (isRoot)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<form method="post" action="/reviews?handler=Answer" hx-post="/reviews?handler=Answer" hx-target="#review-message" hx-swap="outerHTML" class="answers">""");
            html.Append(CultureInfo.InvariantCulture, $"""<input type="hidden" name="__RequestVerificationToken" value="{E(antiforgeryToken)}"><input type="hidden" name="id" value="{r.Id}">""");
            foreach (var option in r.Options)
                html.Append($"""<button type="submit" name="option" value="{E(option.Id)}" class="primary" data-option="{E(option.Id)}">{E(option.Label)}</button> """);
            html.Append("""<button type="submit" name="cancel" value="yes" class="cancel">Cancel review</button>""");
            html.Append("</form>");
        }

        html.Append("</article>");
        return html.ToString();
    }

    public static string ClosedReviews(IReadOnlyList<PermissionReview> reviews)
    {
        if (reviews.Count == 0)
            return """<tr class="empty"><td colspan="6">Nothing answered yet.</td></tr>""";
        var html = new StringBuilder();
        foreach (var r in reviews)
        {
            var outcome = r.Status == ReviewStatus.Answered
                ? $"""<span class="tag">{E(r.OptionId)}</span> {E(r.Options.FirstOrDefault(o => o.Id == r.OptionId)?.Label ?? "")}"""
                : """<span class="muted">cancelled</span>""";
            html.Append(CultureInfo.InvariantCulture, $"""<tr id="closed-review-{r.Id}" data-status="{E(r.Status)}">""");
            html.Append(CultureInfo.InvariantCulture, $"""<td class="num">{r.Id}</td><td>{E(r.Title)}</td><td>{ActorLink(r.AskerActorId)}</td>""");
            html.Append("<td>").Append(outcome).Append("</td><td>").Append(E(r.AnsweredBy)).Append("</td><td>").Append(Time(r.AnsweredAtUnixMs)).Append("</td></tr>");
        }

        return html.ToString();
    }

    public static string ActorLink(string actorId) =>
        actorId == ActingActor.RootId ? "root" : $"""<a href="/mailboxes/{Uri.EscapeDataString(actorId)}">{E(actorId)}</a>""";

    public static string Time(long unixMs) =>
        unixMs == 0 ? """<span class="muted">—</span>""" : NodeHtml.Time(DateTimeOffset.FromUnixTimeMilliseconds(unixMs), DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));

    public static string Size(int bytes) => bytes < 1024 ? bytes.ToString(CultureInfo.InvariantCulture) + " bytes" : NodeHtml.Bytes(bytes);

    private static string E(string value) => NodeHtml.E(value);
}
