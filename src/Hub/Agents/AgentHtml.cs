using System.Globalization;
using System.Text;
using Mesh.Core.Protocol;
using Mesh.Hub.Web;

namespace Mesh.Hub.Agents;

/// <summary>
/// The agents table's HTML, shared by the page (first render) and its live stream so both always agree. Every value
/// from an operator or a node goes through <see cref="HtmlText.E"/>.
/// </summary>
public static class AgentHtml
{
    public const int Columns = 7;

    public static string Rows(IReadOnlyList<AgentView> agents, DateTimeOffset now)
    {
        if (agents.Count == 0)
            return $"""<tr class="empty"><td colspan="{Columns}">No agents yet.</td></tr>""";
        var html = new StringBuilder();
        foreach (var agent in agents)
            html.Append(Row(agent, now));
        return html.ToString();
    }

    public static string Row(AgentView agent, DateTimeOffset now)
    {
        var a = agent.Definition;
        var id = HtmlText.E(a.Id);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""<tr id="agent-{id}" sse-swap="agent-{id}" hx-swap="outerHTML" data-state="{HtmlText.E(agent.DisplayState)}">""");
        html.Append(CultureInfo.InvariantCulture, $"""<td><a href="/agents/{Uri.EscapeDataString(a.Id)}">{HtmlText.E(a.Name)}</a><div class="muted">{id}</div>{ReplicaList(agent)}</td>""");
        html.Append(CultureInfo.InvariantCulture, $"""<td><a href="/nodes/{Uri.EscapeDataString(a.NodeId)}">{HtmlText.E(a.NodeId)}</a></td>""");
        html.Append("<td>").Append(StateBadge(agent)).Append("</td>");
        html.Append("<td>").Append(Uptime(agent, now)).Append("</td>");
        html.Append(CultureInfo.InvariantCulture, $"""<td class="num">{agent.Status?.Restarts ?? 0}</td>""");
        html.Append("<td>").Append(LastExit(agent.Status?.Run)).Append("</td>");
        html.Append(CultureInfo.InvariantCulture, $"""<td><code class="argv">{HtmlText.E(DisplayText.Truncate(CommandLine(a.Command), 80))}</code></td>""");
        html.Append("</tr>");
        return html.ToString();
    }

    /// <summary>An agent's replicas under its name in the list (nothing for an agent never scaled).</summary>
    public static string ReplicaList(AgentView agent)
    {
        if (agent.Replicas is not { Count: > 0 } replicas)
            return "";
        var html = new StringBuilder().Append(CultureInfo.InvariantCulture, $"""<ul class="replicas" aria-label="replicas of {HtmlText.E(agent.Definition.Id)}">""");
        foreach (var r in replicas)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<li data-replica="{HtmlText.E(r.Replica.Name)}" data-state="{HtmlText.E(r.DisplayState)}"><a href="/agents/{Uri.EscapeDataString(r.Replica.Name)}">{HtmlText.E(r.Replica.Name)}</a> """)
                .Append(CultureInfo.InvariantCulture, $"""<span class="muted">{HtmlText.E(r.Replica.NodeId ?? "no node")}</span> {Badge(r.DisplayState, null)}</li>""");
        }

        return html.Append("</ul>").ToString();
    }

    /// <summary>The shown state as a badge; the node's message ("restarting in 4 s", "node full") as its title and beside it.</summary>
    public static string StateBadge(AgentView agent) => Badge(agent.DisplayState, agent.NodeOnline ? agent.Status?.Message : null);

    public static string Badge(string state, string? message)
    {
        var css = state switch
        {
            "running" => "running",
            "crash_loop" => "failing",
            "stopped" or "exited" => "stopped",
            _ => "waiting",
        };
        return string.IsNullOrEmpty(message)
            ? $"""<span class="badge agent-{css}">{HtmlText.E(state)}</span>"""
            : $"""<span class="badge agent-{css}" title="{HtmlText.E(message)}">{HtmlText.E(state)}</span> <span class="muted">{HtmlText.E(message)}</span>""";
    }

    /// <summary>How long the current run has been up (kept fresh by ui.js), "—" unless it is running.</summary>
    public static string Uptime(AgentView agent, DateTimeOffset now) =>
        agent.DisplayState == "running" && agent.Status?.Run is { StartedAt: { } started, EndedAt: null }
            ? $"""<time datetime="{started.ToDateTimeOffset().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}" data-uptime>{Duration(now - started.ToDateTimeOffset())}</time>"""
            : """<span class="muted">—</span>""";

    /// <summary>"stopped, signal 15 (SIGTERM)", "exited, code 3", "start_failed: no such file: …"; "—" for a run that has not ended.</summary>
    public static string LastExit(AgentRun? run) =>
        run?.Exit is { } exit ? $"""<span class="exit">{HtmlText.E(ExitText(exit))}</span>""" : """<span class="muted">—</span>""";

    /// <summary>How a run ended as plain text ("exited, code 3"); callers encode it for where it goes.</summary>
    public static string ExitText(AgentExit exit)
    {
        var text = exit.Reason;
        if (exit.HasCode)
            text += ", code " + exit.Code.ToString(CultureInfo.InvariantCulture);
        if (exit.Signal != 0)
            text += ", signal " + exit.Signal.ToString(CultureInfo.InvariantCulture) + SignalName(exit.Signal);
        if (exit.Error.Length > 0)
            text += ": " + exit.Error;
        return text;
    }

    /// <summary>The argv as one line a shell user reads: an argument with spaces or quotes in single quotes (no shell runs it).</summary>
    public static string CommandLine(IReadOnlyList<string> command) =>
        string.Join(' ', command.Select(arg => arg.Length > 0 && !arg.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '\\') ? arg : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));

    public static string Duration(TimeSpan span)
    {
        var s = Math.Max(0, (long)span.TotalSeconds);
        return s < 60 ? $"{s} s"
            : s < 3600 ? $"{s / 60} min {s % 60} s"
            : s < 86400 ? $"{s / 3600} h {s % 3600 / 60} min"
            : $"{s / 86400} d {s % 86400 / 3600} h";
    }

    private static string SignalName(int signal) => signal switch
    {
        1 => " (SIGHUP)",
        2 => " (SIGINT)",
        6 => " (SIGABRT)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        15 => " (SIGTERM)",
        _ => "",
    };
}
