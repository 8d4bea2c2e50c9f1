using RazorSlices;

namespace Mesh.Hub.Mailbox.Actors;

/// <summary>What the actors capability shows on other capabilities' pages (Hosting adds it to the node page).</summary>
public static class ActorSections
{
    /// <summary>The actors placed on a node.</summary>
    public static RazorSlice OnNode(string nodeId) => Pages._NodeActors.Create(nodeId);
}
