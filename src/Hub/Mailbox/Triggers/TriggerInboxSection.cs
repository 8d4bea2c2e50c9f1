using System.Globalization;
using System.Text;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Web;

namespace Mesh.Hub.Mailbox.Triggers;

/// <summary>The actor's time triggers on its inbox page: when each fires next, what it sends, how often it fired.</summary>
public sealed class TriggerInboxSection(TriggerService triggers) : IActorInboxSection
{
    public async Task<string> RenderAsync(string actorId, CancellationToken cancellationToken)
    {
        var list = (await triggers.TimeTriggerListAsync(ActorService.RootCaller, new TimeTriggerListRequest { ActorId = actorId, IncludeInactive = true }, cancellationToken)).Triggers;
        var html = new StringBuilder("""<section aria-labelledby="triggers-heading" id="actor-triggers"><h2 id="triggers-heading">Time triggers <span class="muted">set with <code>actor trigger</code>; each fire is a message in this inbox</span></h2>""");
        if (list.Count == 0)
            return html.Append("""<p class="muted" id="actor-triggers-none">No time triggers.</p></section>""").ToString();
        html.Append("""<div class="table-wrap"><table id="actor-triggers-table"><thead><tr><th scope="col" class="num">Id</th><th scope="col">When</th><th scope="col">Next</th><th scope="col">Status</th><th scope="col" class="num">Fired</th><th scope="col">Last fired</th><th scope="col">Channel</th><th scope="col">Message</th></tr></thead><tbody>""");
        foreach (var t in list.OrderBy(t => t.Status == "active" ? 0 : 1).ThenBy(t => t.Id))
        {
            html.Append(CultureInfo.InvariantCulture, $"""<tr data-trigger="{t.Id}" data-status="{HtmlText.E(t.Status)}"><td class="num">{t.Id}</td>""")
                .Append("<td>").Append(t.Cron.Length > 0 ? $"<code>{HtmlText.E(t.Cron)}</code> <span class=\"muted\">UTC</span>" : "once").Append("</td>")
                .Append("<td>").Append(t.NextDueUnixMs > 0 ? When(t.NextDueUnixMs, ago: false) : """<span class="muted">—</span>""").Append("</td>")
                .Append(CultureInfo.InvariantCulture, $"""<td>{HtmlText.E(t.Status)}</td><td class="num">{t.FireCount}</td>""")
                .Append("<td>").Append(t.LastFiredUnixMs > 0 ? When(t.LastFiredUnixMs, ago: true) : """<span class="muted">never</span>""").Append("</td>")
                .Append("<td>").Append(HtmlText.E(t.Channel)).Append("</td>")
                .Append("<td>").Append(MessageHtml.Payload(t.Message, "text")).Append("</td></tr>");
        }

        return html.Append("</tbody></table></div></section>").ToString();
    }

    /// <summary>A UTC time; a past one ticks as "… ago" in the browser.</summary>
    private static string When(long unixMs, bool ago)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
        return HtmlText.Time(at, at.ToString("u", CultureInfo.InvariantCulture), ago);
    }
}
