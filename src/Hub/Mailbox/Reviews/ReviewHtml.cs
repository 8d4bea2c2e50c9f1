using System.Globalization;
using System.Text;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Web;

namespace Mesh.Hub.Mailbox.Reviews;

/// <summary>Review cards and the answered list, shared by the page (first render) and the SSE stream (live updates).</summary>
public static class ReviewHtml
{
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
        html.Append("<dt>Asker</dt><dd>").Append(MessageHtml.ActorLink(r.AskerActorId)).Append("</dd>");
        html.Append("<dt>Team</dt><dd>").Append(r.TeamId.Length > 0 ? E(r.TeamId) : """<span class="muted">none</span>""").Append("</dd>");
        html.Append("<dt>Reviewers</dt><dd>").Append(r.Reviewers.Count > 0 ? string.Join(", ", r.Reviewers.Select(MessageHtml.ActorLink)) : """<span class="muted">root only</span>""").Append("</dd>");
        html.Append("<dt>Created</dt><dd>").Append(MessageHtml.Time(r.CreatedAtUnixMs)).Append("</dd>");
        if (r.RunId.Length > 0)
            html.Append("<dt>Run</dt><dd>").Append(E(r.RunId)).Append("</dd>");
        html.Append("<dt>Options</dt><dd>").Append(string.Join(" ", r.Options.Select(o => $"""<span class="tag">{E(o.Id)}</span> {E(o.Label)}"""))).Append("</dd>");
        html.Append("</dl>");
        if (r.Details.Length > 0)
            html.Append("""<div class="details">""").Append(MessageHtml.Payload(r.Details, "text")).Append("</div>");
        if (isRoot)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<form method="post" action="/reviews?handler=Answer" hx-post="/reviews?handler=Answer" hx-target="#review-message" hx-swap="outerHTML" class="answers">""");
            html.Append(CultureInfo.InvariantCulture, $"""<input type="hidden" name="__RequestVerificationToken" value="{E(antiforgeryToken)}"><input type="hidden" name="id" value="{r.Id}">""");
            // Only the first option (the asker's preferred answer, e.g. Allow) is the green one: Deny and Cancel must not look like it.
            foreach (var (option, index) in r.Options.Select((o, i) => (o, i)))
                html.Append($"""<button type="submit" name="option" value="{E(option.Id)}" class="{(index == 0 ? "primary" : "secondary")}" data-option="{E(option.Id)}">{E(option.Label)}</button> """);
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
            html.Append(CultureInfo.InvariantCulture, $"""<td class="num">{r.Id}</td><td>{E(r.Title)}</td><td>{MessageHtml.ActorLink(r.AskerActorId)}</td>""");
            html.Append("<td>").Append(outcome).Append("</td><td>").Append(E(r.AnsweredBy)).Append("</td><td>").Append(MessageHtml.Time(r.AnsweredAtUnixMs)).Append("</td></tr>");
        }

        return html.ToString();
    }

    private static string E(string value) => HtmlText.E(value);
}
