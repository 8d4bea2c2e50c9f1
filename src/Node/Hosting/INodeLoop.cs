namespace Mesh.Node.Hosting;

/// <summary>
/// One of the node's long-running loops (the hub connection, the outbox flusher, …). Registered in the container and
/// run by <see cref="NodeSupervisor"/>: a loop returns when its token is cancelled, throws
/// <see cref="NodeStopException"/> for a condition only an operator can fix, and anything else is a failure the
/// supervisor restarts with backoff.
/// </summary>
public interface INodeLoop
{
    /// <summary>What the loop does, for logs ("hub connection").</summary>
    string Name { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
