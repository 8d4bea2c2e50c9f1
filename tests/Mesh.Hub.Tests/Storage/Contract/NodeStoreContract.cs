using System.Text.Json;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

public abstract class NodeStoreContract : StoreContract
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected INodeStore Store { get; set; } = null!;

    private NodeRecord Node(string suffix, NodeStatus status = NodeStatus.Offline) => new()
    {
        Id = $"{Unique}-{suffix}",
        Name = "Node " + suffix,
        GrpcTarget = "https://10.0.0.5:50055",
        TlsServerName = "node.example",
        DefaultWorktreeRoot = "/srv/worktrees",
        Capabilities = ["gpu", "docker"],
        Labels = new Dictionary<string, string> { ["zone"] = "eu-1", ["rack"] = "7" },
        Hostname = "host-" + suffix,
        Platform = "linux",
        Arch = "x64",
        CpuCount = 16,
        MemoryBytes = 64L << 30,
        Version = "1.2.3",
        Status = status,
        LastHeartbeatAt = T0.AddSeconds(10),
        CertificateSerial = "0a1b2c",
        CertificateExpiresAt = T0.AddDays(1),
        EnrolledAt = T0.AddSeconds(1),
        ConnectedSince = T0.AddSeconds(2),
        CreatedAt = T0,
        RevokedAt = null,
    };

    private static string Json(NodeRecord? node) => JsonSerializer.Serialize(node);

    [Fact]
    public async Task TryAdd_ThenGet_RoundTripsEveryField()
    {
        var node = Node("a") with { RevokedAt = T0.AddMinutes(5), Status = NodeStatus.Revoked };

        Assert.True(await Store.TryAddAsync(node, None));

        Assert.Equal(Json(node), Json(await Store.GetAsync(node.Id, None)));
    }

    [Fact]
    public async Task TryAdd_NullableFieldsEmpty_RoundTripsAsNull()
    {
        var node = new NodeRecord { Id = Unique + "-bare", CreatedAt = T0 };

        Assert.True(await Store.TryAddAsync(node, None));

        Assert.Equal(Json(node), Json(await Store.GetAsync(node.Id, None)));
    }

    [Fact]
    public async Task TryAdd_ExistingId_ReturnsFalseAndKeepsTheFirst()
    {
        var first = Node("dup");
        Assert.True(await Store.TryAddAsync(first, None));

        Assert.False(await Store.TryAddAsync(first with { Name = "second" }, None));
        Assert.Equal("Node dup", (await Store.GetAsync(first.Id, None))!.Name);
    }

    [Fact]
    public async Task Get_UnknownId_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync(Unique + "-missing", None));
    }

    [Fact]
    public async Task Update_ReplacesTheRecord_AndUnknownIdReturnsFalse()
    {
        var node = Node("u");
        await Store.TryAddAsync(node, None);
        var changed = node with { Name = "renamed", Labels = new Dictionary<string, string> { ["zone"] = "us-2" }, Status = NodeStatus.Online, ConnectedSince = null };

        Assert.True(await Store.UpdateAsync(changed, None));
        Assert.False(await Store.UpdateAsync(Node("never-added"), None));
        Assert.Equal(Json(changed), Json(await Store.GetAsync(node.Id, None)));
    }

    [Fact]
    public async Task List_OrdersByIdOrdinally()
    {
        foreach (var suffix in new[] { "b", "B", "a", "_" })
            await Store.TryAddAsync(Node(suffix), None);

        var mine = (await Store.ListAsync(None)).Select(n => n.Id).Where(id => id.StartsWith(Unique, StringComparison.Ordinal)).ToList();

        Assert.Equal([$"{Unique}-B", $"{Unique}-_", $"{Unique}-a", $"{Unique}-b"], mine);
    }

    [Fact]
    public async Task LiveCertificates_ReturnsOnlyThoseNotExpiredAtNow()
    {
        var id = Unique + "-certs";
        await Store.AddCertificateAsync(id, Unique + "01", T0.AddHours(1), T0, None);
        await Store.AddCertificateAsync(id, Unique + "02", T0, T0.AddHours(-1), None);
        await Store.AddCertificateAsync(Unique + "-other", Unique + "03", T0.AddHours(1), T0, None);

        var live = await Store.LiveCertificatesAsync(id, T0, None);

        Assert.Equal([(Unique + "01", T0.AddHours(1))], live);
    }

    [Fact]
    public async Task UpdateLiveState_WritesStatusAndFacts_ButRevokedAndPendingKeepTheirStatus()
    {
        await Store.TryAddAsync(Node("live"), None);
        await Store.TryAddAsync(Node("revoked", NodeStatus.Revoked), None);
        await Store.TryAddAsync(Node("pending", NodeStatus.Pending), None);
        var facts = new NodeReportedFacts("new-host", "darwin", "arm64", 8, 16L << 30, "2.0.0", ["metal"]);

        await Store.UpdateLiveStateAsync(
        [
            new NodeLiveUpdate(Unique + "-live", NodeStatus.Online, T0.AddMinutes(1), T0.AddMinutes(1), facts),
            new NodeLiveUpdate(Unique + "-revoked", NodeStatus.Online, T0.AddMinutes(1), null, facts),
            new NodeLiveUpdate(Unique + "-pending", NodeStatus.Online, T0.AddMinutes(1), null, null),
        ], None);

        var live = (await Store.GetAsync(Unique + "-live", None))!;
        Assert.Equal((NodeStatus.Online, T0.AddMinutes(1), T0.AddMinutes(1)), (live.Status, live.LastHeartbeatAt, live.ConnectedSince));
        Assert.Equal(("new-host", "darwin", "arm64", 8, 16L << 30, "2.0.0"), (live.Hostname, live.Platform, live.Arch, live.CpuCount, live.MemoryBytes, live.Version));
        Assert.Equal(["metal"], live.Capabilities);
        var revoked = (await Store.GetAsync(Unique + "-revoked", None))!;
        Assert.Equal((NodeStatus.Revoked, "host-revoked"), (revoked.Status, revoked.Hostname));
        var pending = (await Store.GetAsync(Unique + "-pending", None))!;
        Assert.Equal(NodeStatus.Pending, pending.Status);
    }

    [Fact]
    public async Task UpdateLiveState_NothingToWrite_DoesNothing()
    {
        await Store.UpdateLiveStateAsync([], None);
        Assert.Null(await Store.GetAsync(Unique + "-x", None));
    }

    [Fact]
    public async Task MarkAllOffline_TurnsOnlineAndDegradedOffline_AndClearsConnectedSince()
    {
        await Store.TryAddAsync(Node("on", NodeStatus.Online), None);
        await Store.TryAddAsync(Node("deg", NodeStatus.Degraded), None);
        await Store.TryAddAsync(Node("rev", NodeStatus.Revoked), None);

        Assert.True(await Store.MarkAllOfflineAsync(None) >= 2);

        Assert.Equal((NodeStatus.Offline, (DateTimeOffset?)null), await StatusOf("on"));
        Assert.Equal((NodeStatus.Offline, (DateTimeOffset?)null), await StatusOf("deg"));
        Assert.Equal((NodeStatus.Revoked, (DateTimeOffset?)T0.AddSeconds(2)), await StatusOf("rev"));
    }

    private async Task<(NodeStatus, DateTimeOffset?)> StatusOf(string suffix)
    {
        var node = (await Store.GetAsync($"{Unique}-{suffix}", None))!;
        return (node.Status, node.ConnectedSince);
    }
}

public sealed class SqliteNodeStoreTests : NodeStoreContract
{
    protected override Task<Hub.Storage.IHubDatabase> OpenAsync() => OpenSqliteAsync();

    protected override void CreateStore() => Store = new NodeStore(Sqlite);
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresNodeStoreTests(PostgresServer server) : NodeStoreContract
{
    protected override Task<Hub.Storage.IHubDatabase> OpenAsync() => OpenPostgresAsync(server);

    protected override void CreateStore() => Store = new NodeStore(Postgres);
}
