using System.Text;
using Mesh.Core.Protocol;
using Mesh.Hub.Web;

namespace Mesh.Hub.Agents;

/// <summary>An agent's worktree on its page, fetched from the node when the page asks (never stored): state, changed files, a file's diff. Everything encoded.</summary>
public static class AgentWorktreeHtml
{
    public static string State(string agentId, WorktreeState s)
    {
        var w = s.Worktree;
        var html = new StringBuilder("""<dl class="facts" id="worktree-state">""");
        Fact(html, "Path", $"<code>{HtmlText.E(w.Path)}</code>");
        Fact(html, "Branch", w.Branch.Length == 0 ? """<span class="muted">detached</span>""" : $"<code>{HtmlText.E(w.Branch)}</code>");
        Fact(html, "Base", $"<code>{HtmlText.E(Short(w.BaseCommit))}</code> from <code>{HtmlText.E(w.Ref)}</code> in <code>{HtmlText.E(w.Repo)}</code>");
        if (s.Error.Length > 0)
            return html.Append(Fact("Problem", $"""<span class="error">{HtmlText.E(s.Error)}</span>""")).Append("</dl>").ToString();
        Fact(html, "Ahead / behind", $"""<span id="worktree-ahead">{s.Ahead} ahead</span>, {s.Behind} behind <code>{HtmlText.E(w.Ref)}</code>""");
        Fact(html, "Not yet safe", HtmlText.E(Loss(s)));
        html.Append("</dl>");
        if (s.Changes.Count == 0)
            return html.Append("""<p class="muted">No uncommitted changes.</p>""").ToString();
        html.Append("""<ul class="changes" id="worktree-changes">""");
        foreach (var change in s.Changes)
        {
            var href = $"/agents/{Uri.EscapeDataString(agentId)}?handler=WorktreeDiff&file={Uri.EscapeDataString(change.Path)}";
            html.Append($"""<li><code>{HtmlText.E(change.Status)}</code> <a href="{HtmlText.E(href)}" hx-get="{HtmlText.E(href)}" hx-target="#worktree-diff">{HtmlText.E(change.Path)}</a></li>""");
        }

        if (s.ChangesTruncated)
            html.Append("""<li class="muted">… more not shown</li>""");
        return html.Append("</ul>").ToString();
    }

    public static string Diff(string file, WorktreeResult diff)
    {
        var html = new StringBuilder($"""<h3>Diff of <code>{HtmlText.E(file)}</code> against the base</h3>""");
        if (diff.Note.Length > 0)
            html.Append($"""<p class="muted">{HtmlText.E(diff.Note)}</p>""");
        return html.Append($"""<pre class="diff" id="worktree-diff-text">{HtmlText.E(diff.Diff)}</pre>""").ToString();
    }

    /// <summary>What removing the worktree would lose now, in the node's words: "2 uncommitted files, 3 unpushed commits".</summary>
    public static string Loss(WorktreeState s) =>
        $"{s.Uncommitted} uncommitted file{(s.Uncommitted == 1 ? "" : "s")}, {s.Unpushed} unpushed commit{(s.Unpushed == 1 ? "" : "s")}";

    public static string Problem(string message) => $"""<p class="muted">{HtmlText.E(message)}</p>""";

    private static string Short(string commit) => commit.Length > 12 ? commit[..12] : commit;

    private static void Fact(StringBuilder html, string term, string value) => html.Append(Fact(term, value));

    private static string Fact(string term, string value) => $"<dt>{HtmlText.E(term)}</dt><dd>{value}</dd>";
}
