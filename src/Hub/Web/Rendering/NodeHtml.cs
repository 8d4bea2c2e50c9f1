using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Mesh.Hub.AdminApi;
using Mesh.Hub.Registry;

namespace Mesh.Hub.Web.Rendering;

/// <summary>
/// The node table's HTML, shared by the page (first render) and the SSE stream (live updates), so both always
/// agree. Every value from a node or an operator goes through the HTML encoder.
/// </summary>
public static class NodeHtml
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

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
        var id = E(r.Id);
        var status = NodeJson.StatusText(r.Status);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""<tr id="node-{id}" sse-swap="node-{id}" hx-swap="outerHTML" data-status="{status}">""");
        html.Append(CultureInfo.InvariantCulture, $"""<td><a href="/nodes/{id}">{E(r.Name ?? r.Id)}</a><div class="muted">{id}</div></td>""");
        html.Append(CultureInfo.InvariantCulture, $"""<td>{StatusBadge(r.Status, node.Problems)}</td>""");
        html.Append("<td>").Append(Tags(r.Capabilities)).Append("</td>");
        html.Append(CultureInfo.InvariantCulture, $"""<td class="num">{(node.Metrics is { } m && node.Connected ? Percent(m.CpuUsage) : "—")}</td>""");
        html.Append(CultureInfo.InvariantCulture, $"""<td class="num">{(node.Metrics is { } mm && node.Connected ? Percent(mm.MemoryUsedFraction) + " of " + Bytes(mm.MemoryTotalBytes) : r.MemoryBytes > 0 ? Bytes(r.MemoryBytes) : "—")}</td>""");
        html.Append("<td>").Append(Ago(r.LastHeartbeatAt, now)).Append("</td>");
        html.Append("<td>").Append(r.CertificateExpiresAt is { } exp ? Time(exp, exp.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)) : "—").Append("</td>");
        html.Append(CultureInfo.InvariantCulture, $"""<td>{E(r.Version ?? "—")}</td>""");
        html.Append("</tr>");
        return html.ToString();
    }

    public static string Stats(ClusterStats s) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            <div class="stat online"><span class="value">{s.Online}</span><span class="label">online</span></div>
            <div class="stat degraded"><span class="value">{s.Degraded}</span><span class="label">degraded</span></div>
            <div class="stat offline"><span class="value">{s.Offline}</span><span class="label">offline</span></div>
            <div class="stat pending"><span class="value">{s.Pending}</span><span class="label">pending</span></div>
            <div class="stat revoked"><span class="value">{s.Revoked}</span><span class="label">revoked</span></div>
            <div class="stat"><span class="value">{s.Cpus}</span><span class="label">CPUs online</span></div>
            <div class="stat"><span class="value">{Bytes(s.MemoryBytes)}</span><span class="label">memory online</span></div>
            """);

    public static string StatusBadge(NodeStatus status, IReadOnlyList<string> problems)
    {
        var text = NodeJson.StatusText(status);
        var title = problems.Count > 0 ? $" title=\"{E(string.Join("; ", problems))}\"" : "";
        return $"""<span class="badge status-{text}"{title}>{text}</span>""";
    }

    public static string Tags(IEnumerable<string> tags)
    {
        var html = new StringBuilder();
        foreach (var tag in tags)
            html.Append("<span class=\"tag\">").Append(E(tag)).Append("</span> ");
        return html.Length == 0 ? """<span class="muted">—</span>""" : html.ToString();
    }

    public static string Ago(DateTimeOffset? at, DateTimeOffset now)
    {
        if (at is not { } value)
            return """<span class="muted">never</span>""";
        var seconds = Math.Max(0, (int)(now - value).TotalSeconds);
        var text = seconds < 120 ? $"{seconds} s ago" : seconds < 7200 ? $"{seconds / 60} min ago" : $"{seconds / 3600} h ago";
        return Time(value, text, ago: true);
    }

    public static string Time(DateTimeOffset at, string text, bool ago = false) =>
        $"""<time datetime="{at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}"{(ago ? " data-ago" : "")}>{E(text)}</time>""";

    public static string Percent(double fraction) => (fraction * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    public static string Bytes(long bytes)
    {
        if (bytes <= 0)
            return "0";
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString(value < 10 ? "0.#" : "0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    public static string E(string value) => Encoder.Encode(value);
}
