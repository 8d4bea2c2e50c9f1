using Microsoft.Extensions.Logging;

namespace Mesh.Node.Agents;

internal static partial class AgentLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Agents: {Agents} known, {Running} running (re-adopted); process limits: {Limits}")]
    public static partial void Started(ILogger logger, int agents, int running, string limits);

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "Agent {AgentId}: re-adopted run {RunId} (pid {Pid})")]
    public static partial void Adopted(ILogger logger, string agentId, string runId, int pid);

    [LoggerMessage(EventId = 602, Level = LogLevel.Information, Message = "Agent {AgentId}: run {RunId} started (pid {Pid})")]
    public static partial void RunStarted(ILogger logger, string agentId, string runId, int pid);

    [LoggerMessage(EventId = 603, Level = LogLevel.Information, Message = "Agent {AgentId}: run {RunId} ended: {Reason} (code {Code}, signal {Signal})")]
    public static partial void RunEnded(ILogger logger, string agentId, string runId, string reason, int code, int signal);

    [LoggerMessage(EventId = 604, Level = LogLevel.Warning, Message = "Agent {AgentId}: could not start: {Error}")]
    public static partial void StartFailed(ILogger logger, string agentId, string error);

    [LoggerMessage(EventId = 605, Level = LogLevel.Warning, Message = "Agent {AgentId}: run {RunId} did not stop within its grace; SIGKILL")]
    public static partial void GraceOver(ILogger logger, string agentId, string runId);

    [LoggerMessage(EventId = 606, Level = LogLevel.Information, Message = "Agent {AgentId}: no longer placed on this node; forgotten")]
    public static partial void Forgotten(ILogger logger, string agentId);

    [LoggerMessage(EventId = 607, Level = LogLevel.Warning, Message = "Agent {AgentId}: run {RunId} wrote more than the output limit ({Limit} bytes); {Action}")]
    public static partial void OutputLimit(ILogger logger, string agentId, string runId, long limit, string action);

    [LoggerMessage(EventId = 608, Level = LogLevel.Warning, Message = "Agent {AgentId}: cannot refresh the actor token file: {Error}")]
    public static partial void TokenRefreshFailed(ILogger logger, string agentId, string error);

    [LoggerMessage(EventId = 609, Level = LogLevel.Warning, Message = "Agents: no cgroup for run {RunId} ({Error}); limits not enforced, stop reaches the run's session only")]
    public static partial void NoCgroup(ILogger logger, string runId, string error);

    [LoggerMessage(EventId = 610, Level = LogLevel.Information, Message = "Agents: sent {Count} status events up to {Sequence}")]
    public static partial void EventsSent(ILogger logger, int count, ulong sequence);

    [LoggerMessage(EventId = 611, Level = LogLevel.Warning, Message = "Agent {AgentId}: releasing its worktree failed: {Error}")]
    public static partial void WorktreeReleaseFailed(ILogger logger, string agentId, string error);

    [LoggerMessage(EventId = 612, Level = LogLevel.Information, Message = "Agent {AgentId}: input for run {RunId} refused: {Reason}")]
    public static partial void InputRefused(ILogger logger, string agentId, string runId, string reason);
}
