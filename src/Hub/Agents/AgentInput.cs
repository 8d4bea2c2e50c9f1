using System.Collections.Concurrent;
using Google.Protobuf;
using Mesh.Core.Protocol;
using Mesh.Hub.Audit;
using Mesh.Hub.Nodes.Sessions;

namespace Mesh.Hub.Agents;

/// <summary>What a write of input did: the run it reached and how many bytes it took.</summary>
public sealed record InputOutcome(string RunId, long Written);

/// <summary>
/// Input for an agent's running run (root only): bytes for its stdin and new sizes for its terminal, sent to its node
/// over the session. Audited per operator and run — once when input starts and again after a quiet minute, so that a
/// terminal session is on record without one audit row per keystroke; what was typed is never recorded.
/// </summary>
public sealed class AgentInput(AgentStore store, NodeSessionManager sessions, IAuditLog audit, TimeProvider time)
{
    public const int MaxBytes = 64 * 1024;
    public const int MaxTerminalSide = 1000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan AuditQuiet = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string Actor, string RunId), DateTimeOffset> _lastInput = new();

    public async Task<InputOutcome> WriteAsync(string agentId, string? runId, ReadOnlyMemory<byte> data, string actor, string? source, CancellationToken cancellationToken)
    {
        if (data.Length == 0)
            throw new AgentException(AgentError.InvalidArgument, "input is empty: send at least one byte.", "text");
        if (data.Length > MaxBytes)
            throw new AgentException(AgentError.InvalidArgument, $"input of {data.Length} bytes is over the limit of {MaxBytes} bytes per write.", "text");
        var agent = Agent(agentId);
        var result = await AskAsync(agent, new AgentInputCommand { AgentId = agentId, RunId = runId ?? "", Data = ByteString.CopyFrom(data.Span) }, cancellationToken);
        var now = time.GetUtcNow();
        var key = (actor, result.RunId);
        var last = _lastInput.GetValueOrDefault(key);
        _lastInput[key] = now;
        if (now - last >= AuditQuiet)
            await audit.RecordAsync(actor, AuditActions.AgentInput, agentId, source, $"run={result.RunId} bytes={result.Written}; further input within a minute of the last is not audited again", cancellationToken);
        if (_lastInput.Count > 10_000)
            Prune(now);
        return new InputOutcome(result.RunId, result.Written);
    }

    public async Task<InputOutcome> ResizeAsync(string agentId, string? runId, int cols, int rows, CancellationToken cancellationToken)
    {
        if (cols is < 1 or > MaxTerminalSide || rows is < 1 or > MaxTerminalSide)
            throw new AgentException(AgentError.InvalidArgument, $"terminal size {cols}x{rows} is out of range: cols and rows are 1 to {MaxTerminalSide}.", "cols");
        var result = await AskAsync(Agent(agentId), new AgentInputCommand { AgentId = agentId, RunId = runId ?? "", Resize = true, Cols = (uint)cols, Rows = (uint)rows }, cancellationToken);
        return new InputOutcome(result.RunId, 0);
    }

    private AgentDefinition Agent(string agentId) =>
        store.Find(agentId) ?? throw new AgentException(AgentError.NotFound, $"agent '{DisplayText.Truncate(agentId)}' does not exist.");

    private async Task<AgentInputResult> AskAsync(AgentDefinition agent, AgentInputCommand command, CancellationToken cancellationToken)
    {
        CommandResult result;
        try
        {
            result = await sessions.SendAsync(agent.NodeId, new NodeCommand { AgentInput = command }, Timeout, cancellationToken);
        }
        catch (SessionCommandException ex)
        {
            throw new AgentException(AgentError.Unavailable, $"node '{agent.NodeId}' cannot take input now: {ex.Message}.");
        }

        if (result.Ok)
            return result.AgentInput ?? new AgentInputResult();
        var refusal = result.AgentInput?.Refusal ?? "";
        throw new AgentException(refusal is "too_large" or "bad_size" ? AgentError.InvalidArgument : AgentError.Conflict, result.Error + ".");
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, at) in _lastInput)
        {
            if (now - at > AuditQuiet)
                _lastInput.TryRemove(key, out _);
        }
    }
}
