using Mesh.Core.Protocol;
using Mesh.Hub.Nodes.Sessions;

namespace Mesh.Hub.Agents;

/// <summary>What became of a deleted agent's worktree: removed | kept | released | pending | none, with the node's words.</summary>
public sealed record WorktreeOutcome(string Outcome, string Message, string? Path);

/// <summary>
/// An agent's worktree as its node sees it, asked over the node's session on demand (state, a file's diff, its files;
/// the node's worktrees; removing a kept one). Nothing of it is stored on the hub; a node that is away answers nothing.
/// </summary>
public sealed class AgentWorktrees(AgentStore store, NodeSessionManager sessions, TimeProvider time)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task<WorktreeState> StateAsync(string agentId, CancellationToken cancellationToken) =>
        (await AskAsync(Agent(agentId).NodeId, new WorktreeCommand { Action = WorktreeAction.State, AgentId = agentId }, cancellationToken)).State;

    public Task<WorktreeResult> DiffAsync(string agentId, string file, CancellationToken cancellationToken) =>
        AskAsync(Agent(agentId).NodeId, new WorktreeCommand { Action = WorktreeAction.Diff, AgentId = agentId, File = file }, cancellationToken);

    public Task<WorktreeResult> FilesAsync(string agentId, string path, CancellationToken cancellationToken) =>
        AskAsync(Agent(agentId).NodeId, new WorktreeCommand { Action = WorktreeAction.Files, AgentId = agentId, File = path }, cancellationToken);

    public async Task<IReadOnlyList<WorktreeState>> ListAsync(string nodeId, CancellationToken cancellationToken) =>
        (await AskAsync(nodeId, new WorktreeCommand { Action = WorktreeAction.List }, cancellationToken)).Worktrees;

    public async Task<string> RemoveAsync(string nodeId, string path, bool force, CancellationToken cancellationToken) =>
        (await AskAsync(nodeId, new WorktreeCommand { Action = WorktreeAction.Remove, Path = path, Force = force }, cancellationToken)).Message;

    /// <summary>After a delete: asks the node until the agent's run has ended and its worktree was released (bounded by its stop grace).</summary>
    public async Task<WorktreeOutcome> ReleaseOutcomeAsync(AgentDefinition agent, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(agent.StopGraceSeconds + 15);
        var ask = new WorktreeCommand { Action = WorktreeAction.Release, AgentId = agent.Id };
        try
        {
            while (true)
            {
                var result = await AskAsync(agent.NodeId, ask, cancellationToken);
                if (result.Outcome != "pending" || time.GetUtcNow() >= deadline)
                    return new WorktreeOutcome(result.Outcome, result.Message, result.State?.Worktree?.Path);
                await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
            }
        }
        catch (AgentException ex) when (ex.Error == AgentError.Unavailable)
        {
            return new WorktreeOutcome("pending", "the node is not connected; it releases the worktree (removed only when nothing would be lost) when it learns of the delete", null);
        }
    }

    private AgentDefinition Agent(string agentId) =>
        store.FindRunnable(agentId) ?? throw new AgentException(AgentError.NotFound, $"agent '{DisplayText.Truncate(agentId)}' does not exist.");

    private async Task<WorktreeResult> AskAsync(string nodeId, WorktreeCommand command, CancellationToken cancellationToken)
    {
        CommandResult result;
        try
        {
            result = await sessions.SendAsync(nodeId, new NodeCommand { Worktree = command }, Timeout, cancellationToken);
        }
        catch (SessionCommandException ex)
        {
            throw new AgentException(AgentError.Unavailable, $"node '{nodeId}' cannot answer: {ex.Message}.");
        }

        if (!result.Ok)
        {
            var notFound = result.Error.Contains("has no worktree", StringComparison.Ordinal) || result.Error.StartsWith("no such file", StringComparison.Ordinal)
                || result.Error.StartsWith("no worktree", StringComparison.Ordinal);
            throw new AgentException(notFound ? AgentError.NotFound : command.Action == WorktreeAction.Remove ? AgentError.Conflict : AgentError.InvalidArgument, result.Error);
        }

        return result.Worktree ?? new WorktreeResult();
    }
}
