using Mesh.Core.Protocol;
using Mesh.Node.Session;

namespace Mesh.Node.Agents.Worktrees;

/// <summary>
/// The hub asks about worktrees on demand: an agent's state, a file's diff, its files; every worktree of the node; the
/// removal of a kept one; the outcome of a deleted agent's release. Nothing of it is stored on the hub.
/// </summary>
internal sealed class WorktreeCommandHandler(WorktreeManager manager, WorktreeInspector inspector) : INodeCommandHandler
{
    public NodeCommand.KindOneofCase Kind => NodeCommand.KindOneofCase.Worktree;

    public async ValueTask HandleAsync(NodeCommand command, CommandResult result, CancellationToken cancellationToken)
    {
        var ask = command.Worktree;
        try
        {
            result.Worktree = ask.Action switch
            {
                WorktreeAction.State => new WorktreeResult { State = await inspector.StateAsync(Owned(ask.AgentId), cancellationToken) },
                WorktreeAction.Diff => await inspector.DiffAsync(Owned(ask.AgentId), ask.File, cancellationToken),
                WorktreeAction.Files => WorktreeFiles.Read(Owned(ask.AgentId).Worktree.Path, ask.File),
                WorktreeAction.List => await ListAsync(cancellationToken),
                WorktreeAction.Remove => Outcome("removed", await manager.RemoveAsync(ask.Path, ask.Force, cancellationToken)),
                WorktreeAction.Release => Released(ask.AgentId),
                _ => throw new WorktreeException($"unknown worktree action {ask.Action}"),
            };
        }
        catch (Exception ex) when (ex is WorktreeException or IOException or UnauthorizedAccessException)
        {
            result.Ok = false;
            result.Error = ex.Message;
        }
    }

    private WorktreeRecord Owned(string agentId) =>
        manager.Store.OwnedBy(agentId) ?? throw new WorktreeException($"agent '{agentId}' has no worktree on this node.");

    private async Task<WorktreeResult> ListAsync(CancellationToken cancellationToken)
    {
        var result = new WorktreeResult();
        foreach (var record in manager.Store.Current())
            result.Worktrees.Add(await inspector.StateAsync(record, cancellationToken));
        return result;
    }

    /// <summary>
    /// Where the deleted agent's worktree stands: "pending" while its run has not ended (the hub asks again; commands are
    /// answered one at a time, so none waits here), else removed, kept (with why), released or none.
    /// </summary>
    private WorktreeResult Released(string agentId) =>
        manager.Store.OwnedBy(agentId) is not null ? Outcome("pending", "the agent's run has not ended yet; its worktree is released when it has")
        : manager.Store.Latest(agentId) is { } record ? Outcome(record.State, record.Note, record.Worktree)
        : Outcome("none", "");

    private static WorktreeResult Outcome(string outcome, string message, AgentWorktree? worktree = null) => new()
    {
        Outcome = outcome,
        Message = message,
        State = worktree is null ? null : new WorktreeState { Worktree = worktree },
    };
}
