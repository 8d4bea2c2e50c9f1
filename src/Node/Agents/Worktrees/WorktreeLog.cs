using Microsoft.Extensions.Logging;

namespace Mesh.Node.Agents.Worktrees;

internal static partial class WorktreeLog
{
    [LoggerMessage(EventId = 640, Level = LogLevel.Information, Message = "Agent {AgentId}: worktree {Path} created on {Branch} from {Base}")]
    public static partial void Created(ILogger logger, string agentId, string path, string branch, string @base);

    [LoggerMessage(EventId = 641, Level = LogLevel.Information, Message = "Agent {AgentId}: reuses worktree {Path}")]
    public static partial void Adopted(ILogger logger, string agentId, string path);

    [LoggerMessage(EventId = 642, Level = LogLevel.Information, Message = "Worktree {Path} of agent {AgentId}: {Outcome}")]
    public static partial void Released(ILogger logger, string path, string agentId, string outcome);

    [LoggerMessage(EventId = 643, Level = LogLevel.Warning, Message = "Worktree {Path}: {Error}")]
    public static partial void Failed(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 644, Level = LogLevel.Information, Message = "Worktree {Path}: removed by an operator (force: {Force})")]
    public static partial void Removed(ILogger logger, string path, bool force);

    [LoggerMessage(EventId = 645, Level = LogLevel.Warning, Message = "Worktree {Path}: {What}")]
    public static partial void ReRegistered(ILogger logger, string path, string what);
}
