using Mesh.Core.Protocol;
using Mesh.Hub.Nodes.Sessions;

namespace Mesh.Hub.Agents.Output;

/// <summary>
/// Output the hub no longer keeps (it keeps the last part of each stream), asked from the run's node on demand while
/// the node still has it. Null when the node is away or has dropped it too; the caller then serves what the hub has.
/// </summary>
public sealed class OutputFromNode(NodeSessionManager sessions)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public async Task<OutputSlice?> ReadAsync(string nodeId, string runId, string stream, long from, int limit, OutputState hubState, CancellationToken cancellationToken)
    {
        CommandResult result;
        try
        {
            var ask = new OutputReadCommand { RunId = runId, Stream = stream, From = from, Limit = Math.Min(limit, 1 << 20) };
            result = await sessions.SendAsync(nodeId, new NodeCommand { OutputRead = ask }, Timeout, cancellationToken);
        }
        catch (SessionCommandException)
        {
            return null;
        }

        // Only bytes before what the hub has: past that, the hub's own copy is the one readers continue from.
        if (!result.Ok || result.OutputRead is not { Data.Length: > 0 } read || read.Start >= hubState.DroppedBefore)
            return null;
        var length = (int)Math.Min(read.Data.Length, hubState.DroppedBefore - read.Start);
        return new OutputSlice(read.Data.Span[..length].ToArray(), read.Start, hubState with { DroppedBefore = read.DroppedBefore });
    }
}
