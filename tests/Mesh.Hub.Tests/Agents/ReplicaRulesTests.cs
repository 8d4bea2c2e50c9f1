using Mesh.Hub.Agents.Replicas;

namespace Mesh.Hub.Tests.Agents;

/// <summary>The written rules of replicas: the scale-down order and the names.</summary>
public sealed class ReplicaRulesTests
{
    private static AgentReplica R(int ordinal, int rank) => new($"r{ordinal}", "a", ordinal, rank, "n1", ReplicaStates.Active, 1, DateTimeOffset.UnixEpoch);

    [Fact]
    public void ScaleDownOrder_newest_rank_first_then_idle_before_busy_then_newest_ordinal()
    {
        // Rank 1 made r1..r4, rank 2 made r5, r6; r6 and r4 are busy.
        var replicas = new[] { R(1, 1), R(2, 1), R(3, 1), R(4, 1), R(5, 2), R(6, 2) };
        var busy = new HashSet<string> { "r6", "r4" };
        var order = ReplicaService.ScaleDownOrder(replicas, r => busy.Contains(r.Name)).Select(r => r.Name);
        Assert.Equal(["r5", "r6", "r3", "r2", "r1", "r4"], order);
    }

    [Fact]
    public void ScaleDownOrder_all_idle_is_plain_lifo()
    {
        var order = ReplicaService.ScaleDownOrder([R(2, 1), R(1, 1), R(3, 2)], _ => false).Select(r => r.Name);
        Assert.Equal(["r3", "r2", "r1"], order);
    }

    [Fact]
    public void Names_are_verb_animal_the_same_for_the_same_agent_and_skip_taken_ones()
    {
        var first = ReplicaNames.Next("builder", _ => false);
        Assert.Matches("^[a-z]+ing-[a-z]+$", first);
        Assert.Equal(first, ReplicaNames.Next("builder", _ => false));
        var second = ReplicaNames.Next("builder", n => n == first);
        Assert.NotEqual(first, second);
        Assert.Equal(ReplicaNames.Candidate("builder", 1) == first ? ReplicaNames.Candidate("builder", 2) : ReplicaNames.Candidate("builder", 1), second);
    }

    [Fact]
    public void Names_never_run_out_past_the_first_sixty_four_candidates()
    {
        var taken = new HashSet<string>();
        for (var i = 0; i < 300; i++)
            Assert.True(taken.Add(ReplicaNames.Next("busy-agent", taken.Contains)));
        Assert.Contains(taken, n => n.EndsWith("-2", StringComparison.Ordinal));
    }
}
