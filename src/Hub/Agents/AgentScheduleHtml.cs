using System.Globalization;
using System.Text;
using Mesh.Hub.Mailbox.Schedules;
using Mesh.Hub.Web;

namespace Mesh.Hub.Agents;

/// <summary>The agent page's Schedules table (refreshed every 2 s by htmx): each schedule with its next fire time and its last fire.</summary>
public static class AgentScheduleHtml
{
    public static string Table(IReadOnlyList<(ScheduleDefinition Schedule, FireRecord? Last)> schedules, DateTimeOffset now)
    {
        if (schedules.Count == 0)
            return """<p class="muted" id="agent-schedules-none">No schedules. Create one below (root), or with POST /api/admin/agents/{id}/schedules (docs/agents.md, Schedules).</p>""";
        var html = new StringBuilder("""<div class="table-wrap"><table id="agent-schedules"><thead><tr><th scope="col">Schedule</th><th scope="col">When (UTC)</th><th scope="col">Mode</th><th scope="col">Missed while the hub was down</th><th scope="col">Next fire</th><th scope="col">Last fire</th></tr></thead><tbody>""");
        foreach (var (s, last) in schedules)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<tr data-schedule="{HtmlText.E(s.Id)}"><td><code>{HtmlText.E(s.Id)}</code></td><td>{HtmlText.E(s.When)}</td>""")
                .Append(CultureInfo.InvariantCulture, $"""<td>{(s.Mode == ScheduleModes.Single ? "single: one replica per fire" : "cluster: every live replica")}</td>""")
                .Append(CultureInfo.InvariantCulture, $"""<td>{(s.CatchUp == ScheduleModes.Once ? "fired once (catch_up once)" : "skipped (catch_up skip)")}</td>""")
                .Append(CultureInfo.InvariantCulture, $"""<td class="next-fire">{HtmlText.Time(s.NextFire, s.NextFire.ToString("u", CultureInfo.InvariantCulture))} <span class="muted">in {AgentHtml.Duration(s.NextFire - now)}</span></td>""")
                .Append("<td>").Append(last is null ? """<span class="muted">—</span>""" : Last(last)).Append("</td></tr>");
        }

        return html.Append("</tbody></table></div>").ToString();
    }

    private static string Last(FireRecord fire) =>
        $"""{HtmlText.Time(fire.FireTime, fire.FireTime.ToString("u", CultureInfo.InvariantCulture))} · {HtmlText.E(fire.State)}{(fire.CatchUp ? " (catch-up)" : "")}""" +
        (fire.DeliveredTo.Count > 0 ? " → " + HtmlText.E(string.Join(", ", fire.DeliveredTo)) : "");
}
