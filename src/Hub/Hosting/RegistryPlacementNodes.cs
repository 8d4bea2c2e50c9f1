using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Nodes.Registry;

namespace Mesh.Hub.Hosting;

/// <summary>Actor placement's view of the node registry (composed here: Mailbox does not depend on Nodes).</summary>
internal sealed class RegistryPlacementNodes(NodeRegistry registry) : IPlacementNodes
{
    public PlacementNodeState StateOf(string nodeId) => registry.Get(nodeId) switch
    {
        null => PlacementNodeState.Unknown,
        { Status: NodeStatus.Revoked } => PlacementNodeState.Revoked,
        _ => PlacementNodeState.Known,
    };
}
