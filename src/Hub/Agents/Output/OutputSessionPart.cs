using Mesh.Core.Protocol;
using Mesh.Hub.Audit;
using Mesh.Hub.Nodes.Sessions;

namespace Mesh.Hub.Agents.Output;

/// <summary>
/// The hub's end of the output relay: each chunk stored at its position once (a resend's overlap is skipped), only
/// for an agent placed on the sending node (else refused and audited), never with a gap the node does not explain
/// as dropped (refused and logged; the ack tells the node where the hub's copy ends, with resend set, so it resends
/// from there — also when that is before what the hub acknowledged earlier and has since lost). Every message is
/// answered with the positions the hub now has.
/// </summary>
public sealed class OutputSessionPart(AgentStore agents, OutputFiles files, IAuditLog audit, IEnumerable<IOutputListener> listeners,
    ILogger<OutputSessionPart> logger) : IHubSessionPart
{
    private static readonly string[] Streams = ["stdout", "stderr"];

    public Task OnAttachedAsync(IHubSessionChannel session, NodeHello hello, CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask<bool> TryHandleAsync(IHubSessionChannel session, NodeMessage message, CancellationToken cancellationToken)
    {
        if (message.BodyCase != NodeMessage.BodyOneofCase.Output)
            return false;
        var acks = new Dictionary<(string Run, string Stream), OutputAck>();
        foreach (var (chunk, parts, complete) in Coalesce(message.Output.Chunks))
        {
            var key = (chunk.RunId, chunk.Stream);
            var length = parts.Sum(p => (long)p.Length);
            if (!Streams.Contains(chunk.Stream) || !Core.Configuration.NodeIds.IsValid(chunk.RunId, out _))
            {
                OutputLog.Refused(logger, session.NodeId, DisplayText.Truncate(chunk.RunId), "not a run id or stream");
                continue;
            }

            var agent = agents.FindRunnable(chunk.AgentId);
            if (agent is null || agent.NodeId != session.NodeId)
            {
                // Deleted agents' last output is of no use; another node's agent is a forged claim.
                if (agent is not null)
                    await audit.RecordAsync("node:" + session.NodeId, AuditActions.AgentEventRefused, agent.Id, null, $"output for a run of an agent placed on {agent.NodeId}", cancellationToken);
                acks[key] = new OutputAck { RunId = chunk.RunId, Stream = chunk.Stream, Position = chunk.Position + length, Complete = true };
                continue;
            }

            var outcome = await files.AppendAsync(agent.Id, chunk.RunId, chunk.Stream, chunk.Position, parts, chunk.DroppedBefore, complete, cancellationToken);
            if (outcome.Refusal is not null)
                OutputLog.Refused(logger, session.NodeId, chunk.RunId, outcome.Refusal);
            var state = outcome.State ?? files.State(chunk.RunId, chunk.Stream);
            acks[key] = new OutputAck { RunId = chunk.RunId, Stream = chunk.Stream, Position = state?.End ?? 0, Complete = state?.Complete ?? false, Resend = outcome.Resend };
            if (outcome.Refusal is null)
            {
                foreach (var listener in listeners)
                    listener.OutputArrived(agent.Id, chunk.RunId, chunk.Stream);
            }
        }

        var reply = new OutputAcks();
        reply.Acks.AddRange(acks.Values);
        session.TryEnqueue(new HubMessage { OutputAcks = reply });
        return true;
    }

    /// <summary>
    /// Back-to-back chunks of one stream (the node sends several per message) taken together — their bytes as parts,
    /// not copied — so the hub opens the file once for them and writes them with one call.
    /// </summary>
    private static IEnumerable<(OutputChunk First, List<ReadOnlyMemory<byte>> Parts, bool Complete)> Coalesce(IEnumerable<OutputChunk> chunks)
    {
        (OutputChunk First, List<ReadOnlyMemory<byte>> Parts, long End, bool Complete)? pending = null;
        foreach (var chunk in chunks)
        {
            if (pending is { } p && !p.Complete && chunk.RunId == p.First.RunId && chunk.Stream == p.First.Stream && chunk.AgentId == p.First.AgentId
                && chunk.Position == p.End)
            {
                p.Parts.Add(chunk.Data.Memory);
                pending = p with { End = p.End + chunk.Data.Length, Complete = chunk.Complete };
                continue;
            }

            if (pending is { } done)
                yield return (done.First, done.Parts, done.Complete);
            pending = (chunk, [chunk.Data.Memory], chunk.Position + chunk.Data.Length, chunk.Complete);
        }

        if (pending is { } last)
            yield return (last.First, last.Parts, last.Complete);
    }
}

/// <summary>Told when a run's output grew (live views).</summary>
public interface IOutputListener
{
    void OutputArrived(string agentId, string runId, string stream);
}

internal static partial class OutputLog
{
    [LoggerMessage(EventId = 7101, EventName = "OutputRefused", Level = LogLevel.Warning, Message = "Output from node {NodeId} for run {RunId} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string nodeId, string runId, string reason);
}
