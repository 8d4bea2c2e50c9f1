using System.Globalization;
using System.Text;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Web;

namespace Mesh.Hub.Nodes;

/// <summary>The node page's live parts (status, facts), for its first render and its stream alike.</summary>
public static class NodeDetailHtml
{
    public static string Facts(NodeView node, DateTimeOffset now)
    {
        var r = node.Record;
        var html = new StringBuilder();
        void Fact(string term, string valueHtml, string? id = null) =>
            html.Append("<dt>").Append(term).Append(id is null ? "</dt><dd>" : $"</dt><dd id=\"{id}\">").Append(valueHtml).Append("</dd>");
        string Text(string? value) => value is null ? "—" : HtmlText.E(value);
        Fact("Hostname", Text(r.Hostname));
        Fact("Platform", Text(r.Platform) + " / " + Text(r.Arch));
        Fact("CPUs", r.CpuCount.ToString(CultureInfo.InvariantCulture));
        Fact("Memory", HtmlText.Bytes(r.MemoryBytes));
        Fact("Version", Text(r.Version));
        Fact("Capabilities", HtmlText.Tags(r.Capabilities));
        Fact("Labels", HtmlText.Tags(r.Labels.Select(l => l.Key + "=" + l.Value)));
        Fact("gRPC target", Text(r.GrpcTarget));
        Fact("TLS server name", Text(r.TlsServerName));
        if (node.Metrics?.Worktrees is { } reported)
        {
            var differs = r.DefaultWorktreeRoot is { } registered && registered != reported.DefaultRoot
                ? $"<div class=\"muted\">registered on the hub: <code>{HtmlText.E(registered)}</code></div>"
                : "";
            Fact("Worktree root", $"<code>{HtmlText.E(reported.DefaultRoot ?? "none set")}</code> <span class=\"muted\">reported by the node</span>{differs}", "node-worktree-root");
            var quota = reported.QuotaBytes > 0
                ? "quota " + HtmlText.Bytes(reported.QuotaBytes) + " (" + HtmlText.Percent((double)reported.Bytes / reported.QuotaBytes) + " used)"
                : "no quota";
            Fact("Worktrees on disk", string.Create(CultureInfo.InvariantCulture,
                $"{HtmlText.Bytes(reported.Bytes)} in {reported.Count} worktree{(reported.Count == 1 ? "" : "s")} ({reported.Kept} kept) · {quota} · measured {HtmlText.Ago(reported.MeasuredAt, now)}"), "node-worktree-usage");
        }
        else
        {
            Fact("Worktree root", Text(r.DefaultWorktreeRoot), "node-worktree-root");
        }

        Fact("Last heartbeat", NodeHtml.Seen(r, now), "node-heartbeat");
        Fact("Connected since", r.ConnectedSince is { } since && r.Status != NodeStatus.Revoked ? HtmlText.At(since) + " (up " + HtmlText.Uptime(since, now) + ")" : "—");
        Fact("Enrolled", r.EnrolledAt is null ? "never" : HtmlText.At(r.EnrolledAt));
        Fact("Running agents", node.RunningAgents.ToString(CultureInfo.InvariantCulture) + (node.Draining ? " (draining)" : ""));
        if (node.Metrics is { } m && node.Connected)
        {
            Fact("CPU / memory / disk", string.Create(CultureInfo.InvariantCulture,
                $"{HtmlText.Percent(m.CpuUsage)} · {HtmlText.Percent(m.MemoryUsedFraction)} of {HtmlText.Bytes(m.MemoryTotalBytes)} · {HtmlText.Bytes(m.DiskFreeBytes)} free of {HtmlText.Bytes(m.DiskTotalBytes)} · {m.ProcessCount} processes"));
        }

        return html.ToString();
    }
}
