using Mesh.Core.Protocol;

namespace Mesh.Node.Session;

/// <summary>
/// How a session part sends: the ordered control lane (answers, status events) or the bulk lane (process output),
/// which the stream writes only when neither a heartbeat nor a control message waits — so bulk data never delays
/// either, and its own flow control (acknowledged positions) keeps it bounded.
/// </summary>
public sealed class SessionLanes(Func<NodeMessage, CancellationToken, ValueTask> control, Func<NodeMessage, CancellationToken, ValueTask> bulk)
{
    public ValueTask SendAsync(NodeMessage message, CancellationToken cancellationToken) => control(message, cancellationToken);

    public ValueTask SendBulkAsync(NodeMessage message, CancellationToken cancellationToken) => bulk(message, cancellationToken);
}
