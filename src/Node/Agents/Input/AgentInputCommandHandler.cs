using Mesh.Core.Protocol;
using Mesh.Node.Agents.Processes;
using Mesh.Node.Session;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.Agents.Input;

/// <summary>
/// Input from the hub for a running run: bytes for its stdin (written to the run folder's FIFO, never waiting: a run
/// that does not read its input gets "input_full", not a stuck session) and a new size for a tty run's terminal.
/// </summary>
internal sealed class AgentInputCommandHandler(AgentSupervisor supervisor, ILogger<AgentInputCommandHandler> logger) : INodeCommandHandler
{
    public const int MaxBytes = 64 * 1024;
    public const int MaxTerminalSide = 1000;

    public NodeCommand.KindOneofCase Kind => NodeCommand.KindOneofCase.AgentInput;

    public ValueTask HandleAsync(NodeCommand command, CommandResult result, CancellationToken cancellationToken)
    {
        var ask = command.AgentInput;
        var answer = result.AgentInput = new AgentInputResult { RunId = ask.RunId };
        var refusal = Apply(ask, answer, out var message);
        if (refusal is not null)
        {
            result.Ok = false;
            result.Error = message;
            answer.Refusal = refusal;
            AgentLog.InputRefused(logger, ask.AgentId, ask.RunId, message);
        }

        return ValueTask.CompletedTask;
    }

    private string? Apply(AgentInputCommand ask, AgentInputResult answer, out string message)
    {
        message = "";
        if (!supervisor.LiveRuns.TryGetValue(ask.AgentId, out var run) || (ask.RunId.Length > 0 && run.Record.RunId != ask.RunId) || run.HasEnded)
        {
            message = ask.RunId.Length > 0 ? $"run {ask.RunId} of agent '{ask.AgentId}' is not running" : $"agent '{ask.AgentId}' has no running run";
            return "not_running";
        }

        answer.RunId = run.Record.RunId;
        if (!run.Record.Interactive)
        {
            message = $"run {run.Record.RunId} was not started with input (interactive = false): its stdin is /dev/null";
            return "not_interactive";
        }

        if (ask.Data.Length > MaxBytes)
        {
            message = $"input of {ask.Data.Length} bytes is over the {MaxBytes}-byte limit of one write";
            return "too_large";
        }

        if (ask.Resize)
        {
            if (!run.Record.Tty)
            {
                message = $"run {run.Record.RunId} has no terminal (tty = false): it cannot be resized";
                return "not_tty";
            }

            if (ask.Cols is < 1 or > MaxTerminalSide || ask.Rows is < 1 or > MaxTerminalSide)
            {
                message = $"terminal size {ask.Cols}x{ask.Rows} is out of range: columns and rows are 1 to {MaxTerminalSide}";
                return "bad_size";
            }

            if (run.Folder.TerminalPath() is not { } terminal)
            {
                message = $"run {run.Record.RunId} has no terminal yet";
                return "not_running";
            }

            try
            {
                LibC.SetWindowSize(terminal, (ushort)ask.Cols, (ushort)ask.Rows);
            }
            catch (IOException ex)
            {
                message = ex.Message;
                return "not_running";
            }
        }

        if (ask.Data.IsEmpty)
            return null;
        int? written;
        try
        {
            written = LibC.WriteFifoNow(run.Folder.InputFifo, ask.Data.Span);
        }
        catch (IOException ex)
        {
            message = ex.Message;
            return "not_running";
        }

        if (written is not { } count)
        {
            message = $"run {run.Record.RunId} has ended";
            return "not_running";
        }

        answer.Written = count;
        if (count < ask.Data.Length)
        {
            message = $"the run's input is full: {count} of {ask.Data.Length} bytes written (it is not reading its stdin)";
            return "input_full";
        }

        return null;
    }
}
