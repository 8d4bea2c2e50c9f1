using Google.Protobuf;
using Mesh.Core.Configuration;
using Mesh.Core.Protocol;
using Mesh.Node.Session;

namespace Mesh.Node.Agents.Output;

/// <summary>
/// The hub asks for a part of a run's stream it no longer keeps: answered from the run's folder while the node still
/// has it (the node keeps more of each run than the hub, and finished runs until its own limits delete them).
/// </summary>
internal sealed class OutputReadCommandHandler(AgentRuntimeOptions options) : INodeCommandHandler
{
    public const int MaxBytes = 1 << 20;

    public NodeCommand.KindOneofCase Kind => NodeCommand.KindOneofCase.OutputRead;

    public async ValueTask HandleAsync(NodeCommand command, CommandResult result, CancellationToken cancellationToken)
    {
        var ask = command.OutputRead;
        if (!NodeIds.IsValid(ask.RunId, out _) || ask.Stream is not (RunFolder.StdoutFile or RunFolder.StderrFile) || ask.From < 0 || ask.Limit is < 1 or > MaxBytes)
        {
            result.Ok = false;
            result.Error = "bad output read: a run id, stdout or stderr, a position of 0 or more and a limit of 1 to 1048576 bytes";
            return;
        }

        var folder = new RunFolder(Path.Combine(options.RunsRoot, ask.RunId));
        var file = Path.Combine(folder.Path, ask.Stream);
        if (!File.Exists(file))
        {
            result.Ok = false;
            result.Error = $"no output of run {ask.RunId} on this node any more";
            return;
        }

        var dropped = folder.DroppedBefore(ask.Stream);
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var end = stream.Length;
        var start = Math.Min(Math.Max(ask.From, dropped), end);
        var buffer = new byte[(int)Math.Min(ask.Limit, end - start)];
        stream.Position = start;
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        // Output dropped while reading reads as zeros (a punched hole): leave out what is now before the drop.
        var droppedNow = folder.DroppedBefore(ask.Stream);
        var skip = (int)Math.Clamp(droppedNow - start, 0, buffer.Length);
        result.OutputRead = new OutputReadResult { Data = ByteString.CopyFrom(buffer, skip, buffer.Length - skip), Start = start + skip, End = end, DroppedBefore = droppedNow };
    }
}
