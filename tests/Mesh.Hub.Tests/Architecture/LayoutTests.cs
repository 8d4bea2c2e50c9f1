using Mesh.Hub.Hosting;

namespace Mesh.Hub.Tests.Architecture;

/// <summary>The hub keeps the layout of <see cref="HubLayout"/>, and the rules catch what breaks it.</summary>
public sealed class LayoutTests
{
    private static readonly IReadOnlyList<TypeUse> Uses = HubTypeUses.Read(typeof(HubHost).Assembly.Location);

    [Fact]
    public void Hub_EveryUseOfAnotherCapability_IsAllowedByTheTable()
    {
        Assert.Contains(Uses, u => u.FromNamespace == "Mesh.Hub.Mailbox.Messages" && u.ToNamespace == "Mesh.Hub.Mailbox.Actors"); // the reader sees across folders
        Assert.Contains(Uses, u => u.FromNamespace == "Mesh.Hub.Nodes.Pages" && u.ToNamespace == "Mesh.Hub.Nodes.Registry"); // and into Razor pages
        var violations = LayoutRules.Violations(Uses, HubLayout.MayDependOn);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void Table_HasNoCycle_AndNamesOnlyItsOwnFolders()
    {
        Assert.Null(LayoutRules.Cycle(HubLayout.MayDependOn));
        var unknown = HubLayout.MayDependOn.SelectMany(row => row.Value.Where(to => !HubLayout.MayDependOn.ContainsKey(to)).Select(to => $"{row.Key} → {to}")).ToList();
        Assert.Empty(unknown);
    }

    [Fact]
    public void Table_EveryFolderOfTheHub_IsARowOrInsideOne()
    {
        var namespaces = Uses.Select(u => u.FromNamespace).Distinct(StringComparer.Ordinal);
        Assert.All(namespaces, ns => Assert.NotNull(LayoutRules.Locate(ns, HubLayout.MayDependOn).Capability));
    }

    [Fact]
    public void Rules_RejectAKnownBadEdge_TheShellUsingAStore()
    {
        var violations = LayoutRules.Violations([Use("Mesh.Hub.Web", "Mesh.Hub.Mailbox.Messages", "MessageStore")], HubLayout.MayDependOn);
        Assert.Contains(violations, v => v.Contains("the Web shell uses a capability's store", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("Web may not depend on Mailbox/Messages", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Mesh.Hub.Access.Pages", "Mesh.Hub.Access.Pages.AccessModel", "Mesh.Hub.Access.IAccountStore", "a page uses a store")]
    [InlineData("Mesh.Hub.Mailbox.Messages", "Mesh.Hub.Mailbox.Messages.MessageEndpoints", "Mesh.Hub.Mailbox.Messages.IMessageStore", "REST endpoints use a store")]
    [InlineData("Mesh.Hub.Nodes", "Mesh.Hub.Nodes.NodeRemoval", "Mesh.Hub.Audit.SqliteAuditStore", "Nodes uses a store of Audit")]
    public void Rules_RejectAStoreUsedAroundItsService(string fromNamespace, string fromType, string toType, string expected)
    {
        var use = new TypeUse(fromNamespace, fromType, toType[..toType.LastIndexOf('.')], toType);
        Assert.Contains(LayoutRules.Violations([use], HubLayout.MayDependOn), v => v.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Rules_AllowAStoreInsideItsCapability()
    {
        // A service over its own store, and a store over another store of the same top-level capability (one database).
        Assert.Empty(LayoutRules.Violations([Use("Mesh.Hub.Mailbox.Messages", "Mesh.Hub.Mailbox.Messages", "IMessageStore")], HubLayout.MayDependOn));
        Assert.Empty(LayoutRules.Violations([new TypeUse("Mesh.Hub.Mailbox.Triggers", "Mesh.Hub.Mailbox.Triggers.TriggerStore", "Mesh.Hub.Mailbox.Actors", "Mesh.Hub.Mailbox.Actors.IActorStore")], HubLayout.MayDependOn));
    }

    [Fact]
    public void Rules_RejectAnUndeclaredEdge_AndACycle()
    {
        // Actors sit below Messages: a use the other way round is refused.
        var violations = LayoutRules.Violations([Use("Mesh.Hub.Mailbox.Actors", "Mesh.Hub.Mailbox.Messages", "MessageService")], HubLayout.MayDependOn);
        Assert.Equal(["Mesh.Hub.Mailbox.Actors.X → Mesh.Hub.Mailbox.Messages.MessageService: Mailbox/Actors may not depend on Mailbox/Messages (add it to the table, or move the code)"], violations);
        var cyclic = new Dictionary<string, string[]>(HubLayout.MayDependOn) { ["Mailbox/Actors"] = ["Mailbox/Messages"] };
        Assert.Equal(["Mailbox/Actors", "Mailbox/Messages", "Mailbox/Actors"], LayoutRules.Cycle(cyclic));
    }

    [Fact]
    public void Rules_RejectUsingAnotherCapabilitysInternals()
    {
        // Hosting may use Nodes, but only its root namespace: Nodes/Pages is internal to Nodes.
        var violations = LayoutRules.Violations([Use("Mesh.Hub.Hosting", "Mesh.Hub.Nodes.Pages", "IndexModel")], HubLayout.MayDependOn);
        Assert.Equal(["Mesh.Hub.Hosting.X → Mesh.Hub.Nodes.Pages.IndexModel: Mesh.Hub.Nodes.Pages is internal to Nodes; use its root namespace Mesh.Hub.Nodes"], violations);
        Assert.Empty(LayoutRules.Violations([Use("Mesh.Hub.Nodes.Pages", "Mesh.Hub.Nodes", "NodeHtml")], HubLayout.MayDependOn));
    }

    [Fact]
    public void Rules_AFolderOutsideTheTable_IsReported()
    {
        var violations = LayoutRules.Violations([Use("Mesh.Hub.Stray", "Mesh.Hub.Web", "HtmlText")], HubLayout.MayDependOn);
        Assert.Single(violations);
    }

    private static TypeUse Use(string fromNamespace, string toNamespace, string toType) =>
        new(fromNamespace, fromNamespace + ".X", toNamespace, toNamespace + "." + toType);
}
