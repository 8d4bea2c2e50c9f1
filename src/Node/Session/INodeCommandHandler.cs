using Mesh.Core.Protocol;

namespace Mesh.Node.Session;

/// <summary>
/// Answers one kind of hub command on the session stream. Each capability registers handlers for its own command
/// kinds in the node's container; the session loop dispatches by kind and answers an unknown kind itself.
/// </summary>
public interface INodeCommandHandler
{
    NodeCommand.KindOneofCase Kind { get; }

    /// <summary>Fills <paramref name="result"/> (already carrying the command id and ok = true) for <paramref name="command"/>.</summary>
    ValueTask HandleAsync(NodeCommand command, CommandResult result, CancellationToken cancellationToken);
}
