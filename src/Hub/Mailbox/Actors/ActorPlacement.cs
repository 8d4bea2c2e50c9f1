namespace Mesh.Hub.Mailbox.Actors;

/// <summary>
/// Where an actor runs: on the hub itself, or on one node. A type of its own so that the hub can never be taken
/// for a node that shares its name: <see cref="IsOn"/> is false for the hub whatever node id it is given.
/// </summary>
public readonly record struct ActorPlacement
{
    /// <summary>How the hub placement is written (store, REST, UI); no node may have this id.</summary>
    public const string HubText = "hub";

    private ActorPlacement(string? nodeId) => NodeId = nodeId;

    public static ActorPlacement Hub => default;

    /// <summary>The node the actor runs on; null when it runs on the hub.</summary>
    public string? NodeId { get; }

    public bool IsHub => NodeId is null;

    public static ActorPlacement OnNode(string nodeId) => new(nodeId ?? throw new ArgumentNullException(nameof(nodeId)));

    /// <summary>Reads the stored text: "hub" is the hub, anything else a node id.</summary>
    public static ActorPlacement Parse(string text) => text == HubText ? Hub : OnNode(text);

    /// <summary>True only for an actor placed on node <paramref name="nodeId"/>; never for the hub.</summary>
    public bool IsOn(string? nodeId) => NodeId is not null && string.Equals(NodeId, nodeId, StringComparison.Ordinal);

    public override string ToString() => NodeId ?? HubText;
}
