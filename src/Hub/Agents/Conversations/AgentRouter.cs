using System.Collections.Concurrent;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Messages;

namespace Mesh.Hub.Agents.Conversations;

/// <summary>
/// Routes messages sent to an agent among its live runs (<see cref="AgentLiveRuns"/>). Without a conversation: the
/// live runs in turn. With one: the run that holds it (bound in <see cref="ConversationStore"/> on its first message,
/// to the live run holding the fewest active conversations); when that run is no longer live, the conversation moves
/// to the live run holding the fewest, and the message carries an "affinity broken" notice. With no run live, the
/// message waits in the holder's mailbox (the agent's own for a new conversation, or when the holder was removed).
/// </summary>
public sealed class AgentRouter(AgentStore store, AgentLiveRuns live, ConversationStore conversations, TimeProvider time) : IAgentRouter
{
    /// <summary>How long a conversation stays active (its replica busy for scale-down) after its last message.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, int> _turns = new(StringComparer.Ordinal);

    public string? ReplicaOf(string actorId) => store.Find(actorId) is null ? store.Replica(actorId)?.AgentId : null;

    public bool IsAgent(string id) => store.Find(id) is not null;

    public async Task<AgentRoute> RouteAsync(string agentId, string? conversationId, CancellationToken cancellationToken)
    {
        var runs = live.Of(agentId);
        if (conversationId is null)
            return new AgentRoute(agentId, runs.Count == 0 ? agentId : runs[(int)((uint)_turns.AddOrUpdate(agentId, 0, (_, n) => unchecked(n + 1)) % (uint)runs.Count)], null, null, null);

        return await RouteConversationAsync(agentId, conversationId, runs, cancellationToken);
    }

    private async Task<AgentRoute> RouteConversationAsync(string agentId, string conversationId, IReadOnlyList<string> runs, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var binding = await conversations.FindAsync(agentId, conversationId, cancellationToken)
            ?? await conversations.BindAsync(agentId, conversationId, await LeastHeldAsync(agentId, runs, now, cancellationToken), now, cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            var holder = binding.Replica;
            if (runs.Contains(holder, StringComparer.Ordinal))
                return new AgentRoute(agentId, holder, conversationId, null, null);
            // Nothing live to move to: wait in the holder's mailbox while it still has one (a restart of the only run).
            var stillThere = holder == agentId || store.Replica(holder)?.Live is true;
            if (runs.Count == 0 && stillThere)
                return new AgentRoute(agentId, holder, conversationId, null, null);
            var target = runs.Count == 0 ? agentId : await LeastHeldAsync(agentId, runs, now, cancellationToken);
            if (await conversations.MoveAsync(agentId, conversationId, holder, target, now, cancellationToken))
            {
                var why = store.Replica(holder)?.State switch
                {
                    Replicas.ReplicaStates.Removed => "was removed",
                    Replicas.ReplicaStates.Draining => "is draining",
                    _ => "is not running",
                };
                return new AgentRoute(agentId, target, conversationId, holder,
                    $"affinity broken: conversation '{conversationId}' was on replica '{holder}', which {why}; it moved to '{target}' (earlier context of this conversation is not on '{target}').");
            }

            // Another sender moved it first: follow that move.
            binding = await conversations.FindAsync(agentId, conversationId, cancellationToken)
                ?? throw new InvalidOperationException($"conversation {conversationId} of {agentId} vanished while moving");
            if (attempt > 8)
                throw new InvalidOperationException($"conversation {conversationId} of {agentId} keeps moving; try again");
        }
    }

    public async Task RenewAsync(AgentRoute route, CancellationToken cancellationToken)
    {
        if (route.ConversationId is null)
            return;
        var now = time.GetUtcNow();
        await conversations.RenewAsync(route.AgentId, route.ConversationId, now, now + Lease, cancellationToken);
    }

    /// <summary>The agent's conversations, the most recently used first.</summary>
    public Task<IReadOnlyList<ConversationBinding>> ListAsync(string agentId, int limit, CancellationToken cancellationToken) =>
        conversations.ListAsync(agentId, limit, cancellationToken);

    /// <summary>Per run of the agent: conversations held, and how many of them are active.</summary>
    public Task<IReadOnlyDictionary<string, (int Held, int Active)>> CountsAsync(string agentId, CancellationToken cancellationToken) =>
        conversations.CountsAsync(agentId, time.GetUtcNow(), cancellationToken);

    /// <summary>The live run holding the fewest active conversations (the agent first, then by ordinal, on a tie); the agent itself when none is live.</summary>
    private async Task<string> LeastHeldAsync(string agentId, IReadOnlyList<string> runs, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (runs.Count == 0)
            return agentId;
        var counts = await conversations.CountsAsync(agentId, now, cancellationToken);
        return runs.OrderBy(r => counts.GetValueOrDefault(r).Active).First();
    }
}
