using System.Globalization;
using System.Text;
using Mesh.Hub.Web;
using Mesh.Hub.Nodes;
using Mesh.Hub.Nodes.Registry;

namespace Mesh.Hub.Nodes;

/// <summary>
/// The node table's HTML, shared by the page (first render) and the SSE stream (live updates), so both always
/// agree. Every value from a node or an operator goes through the HTML encoder.
/// </summary>
public static class NodeHtml
{
    public static string Rows(IReadOnlyList<NodeView> nodes, DateTimeOffset now)
    {
        if (nodes.Count == 0)
            return """<tr class="empty"><td colspan="8">No nodes yet. Register one or create a join token.</td></tr>""";
        var html = new StringBuilder();
        foreach (var node in nodes)
            html.Append(Row(node, now));
        return html.ToString();
    }

    public static string Row(NodeView node, DateTimeOffset now)
    {
        var r = node.Record;
        var id = HtmlText.E(r.Id);
        var status = NodeJson.StatusText(r.Status);
        var html = new StringBuilder();
        var search = HtmlText.E(string.Join(' ', new[] { r.Id, r.Name, r.Hostname }.Concat(r.Labels.Select(l => l.Key + "=" + l.Value)).OfType<string>()).ToLowerInvariant());
        html.Append(CultureInfo.InvariantCulture, $"""<tr id="node-{id}" sse-swap="node-{id}" hx-swap="outerHTML" data-status="{status}" data-search="{search}" data-capabilities=" {HtmlText.E(string.Join(' ', r.Capabilities))} " data-cpu="{(node.Metrics is { } cm && node.Connected ? cm.CpuUsage.ToString("0.000", CultureInfo.InvariantCulture) : "-1")}" data-beat="{(r.LastHeartbeatAt is { } hb ? HtmlText.Iso(hb) : "")}">""");
        html.Append(CultureInfo.InvariantCulture, $"""<td><a href="/nodes/{id}">{HtmlText.E(r.Name ?? r.Id)}</a><div class="muted">{id}</div></td>""");
        html.Append(CultureInfo.InvariantCulture, $"""<td>{StatusBadge(r.Status, node.Problems)}</td>""");
        html.Append("<td>").Append(HtmlText.Tags(r.Capabilities)).Append("</td>");
        html.Append(CultureInfo.InvariantCulture, $"""<td class="num">{(node.Metrics is { } m && node.Connected ? HtmlText.Percent(m.CpuUsage) : "—")}</td>""");
        html.Append(CultureInfo.InvariantCulture, $"""<td class="num">{(node.Metrics is { } mm && node.Connected ? HtmlText.Percent(mm.MemoryUsedFraction) + " of " + HtmlText.Bytes(mm.MemoryTotalBytes) : r.MemoryBytes > 0 ? HtmlText.Bytes(r.MemoryBytes) : "—")}</td>""");
        html.Append("<td>").Append(Seen(r, now)).Append("</td>");
        html.Append("<td>").Append(HtmlText.At(r.CertificateExpiresAt)).Append("</td>");
        html.Append(CultureInfo.InvariantCulture, $"""<td>{HtmlText.E(r.Version ?? "—")}</td>""");
        html.Append("</tr>");
        return html.ToString();
    }

    /// <summary>The counts above the table: each status count filters the table when clicked; a zero count is neutral, never red or amber.</summary>
    public static string Stats(ClusterStats s) =>
        StatusStat("online", s.Online) + StatusStat("degraded", s.Degraded) + StatusStat("offline", s.Offline) + StatusStat("pending", s.Pending) + StatusStat("revoked", s.Revoked)
        + string.Create(CultureInfo.InvariantCulture, $"""
            <div class="stat"><span class="value">{s.Cpus}</span><span class="label">CPUs online</span></div>
            <div class="stat"><span class="value">{HtmlText.Bytes(s.MemoryBytes)}</span><span class="label">memory online</span></div>
            """);

    private static string StatusStat(string status, int count) =>
        string.Create(CultureInfo.InvariantCulture,
            $"""<a class="stat {status}{(count == 0 ? " zero" : "")}" href="/?status={status}" data-filter-status="{status}" id="stat-{status}"><span class="value">{count}</span><span class="label">{status}</span></a>""");

    /// <summary>
    /// When the node was last heard of, as the table and the node page show it: a heartbeat time that ticks in the
    /// browser while it is connected; "offline since" its last heartbeat; the removal time (fixed) once revoked.
    /// </summary>
    public static string Seen(NodeRecord r, DateTimeOffset now) => r.Status switch
    {
        NodeStatus.Revoked => "removed " + HtmlText.At(r.RevokedAt),
        NodeStatus.Offline when r.LastHeartbeatAt is { } last => "offline since " + HtmlText.At(last),
        NodeStatus.Pending => """<span class="muted">never joined</span>""",
        _ => HtmlText.Ago(r.LastHeartbeatAt, now),
    };

    public static string StatusBadge(NodeStatus status, IReadOnlyList<string> problems)
    {
        var text = NodeJson.StatusText(status);
        var title = problems.Count > 0 ? $" title=\"{HtmlText.E(string.Join("; ", problems))}\"" : "";
        return $"""<span class="badge status-{text}"{title}>{text}</span>""";
    }
}
