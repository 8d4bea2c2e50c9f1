namespace Mesh.Node.Session;

/// <summary>Whether the node is draining (takes no new work): set by the hub's drain command, reported in hello and heartbeats.</summary>
public sealed class NodeDrainState
{
    private volatile bool _draining;

    public bool Draining => _draining;

    public void Set(bool draining) => _draining = draining;
}
