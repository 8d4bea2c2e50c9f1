using Mesh.Node.Hosting;

namespace Mesh.Node.Mailbox;

/// <summary>Delivers the outbox's queued sends whenever something is queued or the hub comes back, retrying every 5 s.</summary>
internal sealed class OutboxFlushLoop(MailboxRelay relay) : INodeLoop
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(5);

    public string Name => "outbox flusher";

    public Task RunAsync(CancellationToken cancellationToken) => relay.RunFlusherAsync(Retry, cancellationToken);
}
