using System.Text;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Web;

namespace Mesh.Hub.Nodes.Join;

/// <summary>
/// The Join page's progress panel, for the page's first render and its live stream alike: "waiting for your node…"
/// until a node enrolls with the token, then each such node and whether it is online.
/// </summary>
public static class JoinProgressHtml
{
    public static string Panel(IReadOnlyList<NodeView> joined)
    {
        if (joined.Count == 0)
        {
            return """
                <p class="waiting" data-state="waiting"><span class="spinner" aria-hidden="true"></span> Waiting for your node… <span class="muted">Run the command on the new machine: this panel changes as soon as a node joins with this token.</span></p>
                """;
        }

        var html = new StringBuilder();
        foreach (var node in joined)
        {
            var id = HtmlText.E(node.Id);
            var link = $"""<a href="/nodes/{Uri.EscapeDataString(node.Id)}">{id}</a>""";
            html.Append(node.Status is NodeStatus.Online or NodeStatus.Degraded
                ? $"""<p class="joined ok" data-state="joined" data-node="{id}">Joined ✓ {link} {Badge(node.Status)}</p>"""
                : $"""<p class="waiting" data-state="enrolled" data-node="{id}"><span class="spinner" aria-hidden="true"></span> {link} enrolled ({Badge(node.Status)}); waiting for its session…</p>""");
        }

        return html.ToString();
    }

    private static string Badge(NodeStatus status)
    {
        var text = status.ToString().ToLowerInvariant();
        return $"""<span class="badge status-{text}">{text}</span>""";
    }
}
