namespace Mesh.Hub.Tests.Architecture;

/// <summary>
/// The hub's layout as a table: each capability folder (folder = namespace under Mesh.Hub) and the capability
/// folders it may depend on. docs/design.md shows the same table. The rules <see cref="LayoutRules"/> checks:
/// <list type="bullet">
/// <item>a capability uses another only if its row names it, and the table has no cycle;</item>
/// <item>a capability's sub-namespaces that are not capabilities themselves (Pages, …) are its internals: no other
/// capability uses them, it uses only the other's root namespace;</item>
/// <item>the Web shell depends on no capability, and never on a store.</item>
/// </list>
/// </summary>
public static class HubLayout
{
    public const string Root = "Mesh.Hub";

    /// <summary>Capability folder → the folders it may depend on. "" is Mesh.Hub itself (DisplayText), which any capability may use.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> MayDependOn = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [""] = [],
        ["Storage"] = [],
        ["Cluster"] = ["Storage"],
        ["Live"] = [],
        ["Web"] = [],
        ["Audit"] = ["Storage", "Web"],
        ["InternalApi"] = ["Audit", "Storage"],
        ["Access"] = ["Audit", "Storage", "Web"],
        ["Nodes/Registry"] = ["Audit", "Cluster", "Storage"],
        ["Nodes/Revocation"] = ["Cluster", "InternalApi", "Storage"],
        ["Nodes/Sessions"] = ["Nodes/Registry", "Cluster", "InternalApi", "Storage"],
        ["Nodes/Join"] = ["Nodes/Registry", "Nodes/Revocation", "Audit", "InternalApi", "Storage", "Web"],
        ["Nodes/Provisioning"] = ["Nodes/Join", "Audit", "Web"],
        ["Nodes"] = ["Nodes/Registry", "Nodes/Revocation", "Nodes/Sessions", "Nodes/Join", "Nodes/Provisioning", "Cluster", "Audit", "InternalApi", "Live", "Web"],
        ["Mailbox/Common"] = ["Live", "Storage", "Web"],
        ["Mailbox/Actors"] = ["Mailbox/Common", "Storage", "Web"],
        ["Mailbox/Messages"] = ["Mailbox/Actors", "Mailbox/Common", "Audit", "Cluster", "Live", "Storage", "Web"],
        ["Mailbox/Triggers"] = ["Mailbox/Messages", "Mailbox/Actors", "Mailbox/Common", "Storage", "Web"],
        ["Mailbox/Schedules"] = ["Mailbox/Messages", "Mailbox/Triggers", "Mailbox/Common", "Storage"],
        ["Mailbox/Reviews"] = ["Mailbox/Messages", "Mailbox/Actors", "Mailbox/Common", "Audit", "Live", "Storage", "Web"],
        ["Mailbox"] = ["Mailbox/Actors", "Mailbox/Messages", "Mailbox/Triggers", "Mailbox/Reviews", "Mailbox/Common", "InternalApi", "Storage", "Web"],
        ["Agents"] = ["Cluster", "Nodes", "Nodes/Registry", "Nodes/Sessions", "Mailbox/Actors", "Mailbox/Messages", "Mailbox/Schedules", "Mailbox/Common", "Audit", "Storage", "Live", "Web"],
        ["Health"] = ["InternalApi", "Mailbox/Common", "Storage"],
        ["Metrics"] = ["Web"],
        ["Hosting"] = ["Agents", "Access", "Audit", "Cluster", "Health", "InternalApi", "Mailbox", "Mailbox/Actors", "Mailbox/Common", "Metrics", "Nodes", "Nodes/Registry", "Storage", "Web"],
    };
}
