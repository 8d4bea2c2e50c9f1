using System.Globalization;
using System.Text;
using Mesh.Core.Protocol;
using Mesh.Hub.Web;

namespace Mesh.Hub.Agents;

/// <summary>The live parts of an agent's page (status, last output, runs), shared by the page and its stream. Everything encoded.</summary>
public static class AgentDetailHtml
{
    public static string Status(AgentView agent, DateTimeOffset now)
    {
        var s = agent.Status;
        var run = s?.Run;
        var html = new StringBuilder("""<dl class="facts">""");
        Fact(html, "State", AgentHtml.StateBadge(agent));
        Fact(html, "Node", $"""<a href="/nodes/{Uri.EscapeDataString(agent.Definition.NodeId)}">{HtmlText.E(agent.Definition.NodeId)}</a> {(agent.NodeOnline ? "online" : """<span class="muted">offline</span>""")}""");
        Fact(html, "Uptime", AgentHtml.Uptime(agent, now));
        Fact(html, "Restarts", Number(s?.Restarts ?? 0) + (s is { ConsecutiveFailures: > 0 } ? $" · {Number(s.ConsecutiveFailures)} failures in a row" : ""));
        if (s?.NextStartAt is { } next)
            Fact(html, "Next start", HtmlText.Time(next.ToDateTimeOffset(), next.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture)));
        if (run is not null)
        {
            Fact(html, "Run", $"<code>{HtmlText.E(run.RunId)}</code> · pid {Number(run.Pid)}");
            Fact(html, "Started", Stamp(run.StartedAt));
            Fact(html, "Last exit", AgentHtml.LastExit(run));
        }

        if (agent.Definition.MemoryMaxBytes > 0 || agent.Definition.PidsMax > 0)
            Fact(html, "Limits", s is null ? """<span class="muted">not reported yet</span>""" : s.LimitsEnforced ? "enforced (cgroup)" : "not enforced on this node");
        if (s?.At is { } at)
            Fact(html, "Reported", HtmlText.Ago(at.ToDateTimeOffset(), now));
        return html.Append("</dl>").ToString();
    }

    /// <summary>The latest run's last lines of output once it ended; "running" while it runs.</summary>
    public static string Output(AgentView agent)
    {
        var run = agent.Status?.Run;
        if (run is null)
            return """<p class="muted" id="agent-output-none">No run yet.</p>""";
        if (run.Exit is null)
            return """<p id="agent-output-running">running — the last lines show when the run ends.</p>""";
        if (run.Exit.LastLines.Count == 0)
            return """<p class="muted" id="agent-output-none">The run wrote no output.</p>""";
        return $"""<pre class="output" id="agent-output">{HtmlText.E(string.Join('\n', run.Exit.LastLines))}</pre>""";
    }

    /// <summary>
    /// The agent's runs as replicas: itself first, then each named replica with its node, state, run, the conversations
    /// it holds (active ones) and its last schedule fire.
    /// </summary>
    public static string Replicas(AgentView agent, IReadOnlyDictionary<string, Replicas.ReplicaActivity> activity)
    {
        var html = new StringBuilder();
        var a = agent.Definition;
        html.Append(CultureInfo.InvariantCulture, $"""<tr data-replica="{HtmlText.E(a.Id)}"><td>{HtmlText.E(a.Id)} <span class="muted">the agent itself</span></td><td>{NodeLink(a.NodeId)}</td><td>{AgentHtml.StateBadge(agent)}</td><td>{RunCell(agent.Status?.Run)}</td>""")
            .Append(ActivityCells(activity.GetValueOrDefault(a.Id))).Append("</tr>");
        foreach (var r in agent.Replicas ?? [])
        {
            html.Append(CultureInfo.InvariantCulture, $"""<tr data-replica="{HtmlText.E(r.Replica.Name)}"><td><a href="/agents/{Uri.EscapeDataString(r.Replica.Name)}">{HtmlText.E(r.Replica.Name)}</a> <span class="muted">#{r.Replica.Ordinal}</span></td>""")
                .Append(CultureInfo.InvariantCulture, $"""<td>{(r.Replica.NodeId is { } node ? NodeLink(node) : """<span class="muted">—</span>""")}</td><td>{AgentHtml.Badge(r.DisplayState, null)}</td><td>{RunCell(r.Status?.Run)}</td>""")
                .Append(ActivityCells(activity.GetValueOrDefault(r.Replica.Name))).Append("</tr>");
        }

        return html.ToString();
    }

    /// <summary>Conversations ("3, 1 active") and the last fire (a time the browser shows as "… ago"); stable text, so a re-read that finds nothing new sends nothing.</summary>
    private static string ActivityCells(Replicas.ReplicaActivity? activity)
    {
        var conversations = activity is not { Conversations: > 0 } held
            ? """<span class="muted">none</span>"""
            : string.Create(CultureInfo.InvariantCulture, $"{held.Conversations}, {held.ActiveConversations} active");
        var fired = activity?.LastFire is { } at
            ? HtmlText.Time(at, at.ToString("u", CultureInfo.InvariantCulture), ago: true)
            : """<span class="muted">never</span>""";
        return $"""<td class="conversations">{conversations}</td><td class="last-fire">{fired}</td>""";
    }

    private static string NodeLink(string nodeId) => $"""<a href="/nodes/{Uri.EscapeDataString(nodeId)}">{HtmlText.E(nodeId)}</a>""";

    private static string RunCell(AgentRun? run) => run is null ? """<span class="muted">—</span>""" : $"<code>{HtmlText.E(run.RunId)}</code> · pid {Number(run.Pid)}";

    public static string Runs(IReadOnlyList<AgentRun> runs)
    {
        if (runs.Count == 0)
            return """<tr class="empty"><td colspan="5">No runs yet.</td></tr>""";
        var html = new StringBuilder();
        foreach (var run in runs)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<tr id="run-{HtmlText.E(run.RunId)}"><td><code>{HtmlText.E(run.RunId)}</code></td><td class="num">{run.Pid}</td>""");
            html.Append("<td>").Append(Stamp(run.StartedAt)).Append("</td><td>").Append(Stamp(run.EndedAt)).Append("</td>");
            html.Append("<td>").Append(run.Exit is null ? "running" : AgentHtml.LastExit(run)).Append("</td></tr>");
        }

        return html.ToString();
    }

    private static void Fact(StringBuilder html, string name, string valueHtml) =>
        html.Append("<dt>").Append(name).Append("</dt><dd>").Append(valueHtml).Append("</dd>");

    private static string Stamp(Google.Protobuf.WellKnownTypes.Timestamp? at) =>
        at is null ? """<span class="muted">—</span>""" : HtmlText.Time(at.ToDateTimeOffset(), at.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture));

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
