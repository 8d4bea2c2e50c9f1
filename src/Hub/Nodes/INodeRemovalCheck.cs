namespace Mesh.Hub.Nodes;

/// <summary>A capability that has a say in removing a node (agents placed on it): the reason to refuse, or null.</summary>
public interface INodeRemovalCheck
{
    string? Refusal(string nodeId);
}
