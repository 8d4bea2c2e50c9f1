using System.Diagnostics.Metrics;
using Mesh.Hosting.Metrics;

namespace Mesh.Node.Mailbox;

/// <summary>The local endpoint's outbox, read when scraped: sends waiting for the hub, and sends the hub refused for good.</summary>
internal sealed class OutboxMetrics : IObservableInstruments
{
    public OutboxMetrics(MailboxOutbox outbox, IMeterFactory meters) =>
        NodeMeter.Get(meters).CreateObservableGauge("mesh.node.outbox.messages",
            () => new[]
            {
                MeshInstruments.Tagged(outbox.Count(), "state", "pending"),
                MeshInstruments.Tagged(outbox.Count(failed: true), "state", "failed"),
            },
            "{message}",
            "Messages agents sent through the node's local endpoint that wait in its outbox for the hub (state pending), or that the hub refused for good (failed).");
}
