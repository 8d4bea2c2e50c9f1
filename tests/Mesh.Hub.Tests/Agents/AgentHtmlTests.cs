using Mesh.Core.Protocol;
using Mesh.Hub.Agents;

namespace Mesh.Hub.Tests.Agents;

public sealed class AgentHtmlTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Theory]
    [InlineData(new[] { "sleep", "100" }, "sleep 100")]
    [InlineData(new[] { "sh", "-c", "echo hi; exit 3" }, "sh -c 'echo hi; exit 3'")]
    [InlineData(new[] { "echo", "it's", "" }, "echo 'it'\\''s' ''")]
    public void CommandLine_QuotesArgumentsAShellWouldSplit(string[] argv, string expected) =>
        Assert.Equal(expected, AgentHtml.CommandLine(argv));

    [Fact]
    public void Row_EncodesEverythingAndShowsUptimeAndLastExit()
    {
        var agent = new AgentView(
            new AgentDefinition { Id = "a-1", Name = "<b>x</b>", NodeId = "n1", Placement = "n1", Command = ["<img src=x>"] },
            new AgentStatus
            {
                State = "running",
                Restarts = 2,
                Run = new AgentRun { RunId = "r1", StartedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(Now.AddSeconds(-125)) },
            },
            NodeOnline: true);
        var row = AgentHtml.Row(agent, Now);
        Assert.Contains("&lt;b&gt;x&lt;/b&gt;", row, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x&gt;", row, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", row, StringComparison.Ordinal);
        Assert.Contains("""<time datetime="2026-01-02T03:02:00Z" data-uptime>2 min 5 s</time>""", row, StringComparison.Ordinal);
        Assert.Contains("""<td class="num">2</td>""", row, StringComparison.Ordinal);

        var stopped = agent with { Status = new AgentStatus { State = "stopped", Run = new AgentRun { Exit = new AgentExit { Reason = "stopped", Signal = 15 } } } };
        Assert.Contains("stopped, signal 15 (SIGTERM)", AgentHtml.Row(stopped, Now), StringComparison.Ordinal);
        Assert.Contains("pending: node offline", AgentHtml.Row(stopped with { NodeOnline = false }, Now), StringComparison.Ordinal);
    }

    [Fact]
    public void Replicas_ShowEachRunsConversationsAndLastFire_SameTextForTheSameActivity()
    {
        var replica = new Mesh.Hub.Agents.Replicas.AgentReplica("<i>walking-fox</i>", "a-1", 1, 1, "n2", "active", 1, Now);
        var agent = new AgentView(
            new AgentDefinition { Id = "a-1", Name = "a", NodeId = "n1", Placement = "n1", Command = ["sleep"] },
            new AgentStatus { State = "running" }, NodeOnline: true,
            [new ReplicaView(replica, new AgentStatus { State = "running" }, NodeOnline: true)]);
        var activity = new Dictionary<string, Mesh.Hub.Agents.Replicas.ReplicaActivity>
        {
            ["a-1"] = new(3, 1, Now.AddSeconds(-30)),
            ["<i>walking-fox</i>"] = new(0, 0, null),
        };

        var html = AgentDetailHtml.Replicas(agent, activity);
        var rows = html.Split("</tr>", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, rows.Length);
        Assert.Contains("""<td class="conversations">3, 1 active</td>""", rows[0], StringComparison.Ordinal);
        Assert.Contains("""<td class="last-fire"><time datetime="2026-01-02T03:03:35Z" title="2026-01-02T03:03:35Z" data-ago>2026-01-02 03:03:35Z</time></td>""", rows[0], StringComparison.Ordinal);
        Assert.Contains("&lt;i&gt;walking-fox&lt;/i&gt;", rows[1], StringComparison.Ordinal);
        Assert.DoesNotContain("<i>", html, StringComparison.Ordinal);
        Assert.Contains("""<td class="conversations"><span class="muted">none</span></td><td class="last-fire"><span class="muted">never</span></td>""", rows[1], StringComparison.Ordinal);
        // The live stream sends the table only when it differs: the same activity renders the same text.
        Assert.Equal(html, AgentDetailHtml.Replicas(agent, activity));
        Assert.Contains("""<span class="muted">none</span>""", AgentDetailHtml.Replicas(agent, new Dictionary<string, Mesh.Hub.Agents.Replicas.ReplicaActivity>()), StringComparison.Ordinal);
    }
}
