using Mesh.Hub.Nodes.Revocation;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

public abstract class RevocationStoreContract : StoreContract
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected IRevocationStore Store { get; set; } = null!;

    private async Task<(List<RevokedCertificate> Certificates, IReadOnlyDictionary<string, DateTimeOffset> Nodes)> MineAsync(DateTimeOffset now)
    {
        var (certificates, nodes) = await Store.LoadAsync(now, None);
        return (certificates.Where(c => c.Serial.StartsWith(Unique, StringComparison.Ordinal)).OrderBy(c => c.Serial, StringComparer.Ordinal).ToList(),
            nodes.Where(n => n.Key.StartsWith(Unique, StringComparison.Ordinal)).ToDictionary());
    }

    [Fact]
    public async Task RevokeNode_ThenLoad_ReturnsTheNodeAndItsCertificates()
    {
        await Store.RevokeNodeAsync(Unique + "-n", [(Unique + "01", T0.AddDays(1)), (Unique + "02", T0.AddDays(2))], "removed by root", T0, None);

        var (certificates, nodes) = await MineAsync(T0);

        Assert.Equal(
            [new RevokedCertificate(Unique + "01", T0.AddDays(1), T0, "removed by root"), new RevokedCertificate(Unique + "02", T0.AddDays(2), T0, "removed by root")],
            certificates);
        Assert.Equal(new Dictionary<string, DateTimeOffset> { [Unique + "-n"] = T0 }, nodes);
    }

    [Fact]
    public async Task Load_DropsCertificatesThatExpiredForGood()
    {
        await Store.RevokeNodeAsync(Unique + "-n", [(Unique + "old", T0.AddHours(1)), (Unique + "new", T0.AddDays(1))], "r", T0, None);

        var (afterAnHour, _) = await MineAsync(T0.AddHours(1));
        var (before, _) = await MineAsync(T0);

        Assert.Equal([Unique + "new"], afterAnHour.Select(c => c.Serial));
        Assert.Equal([Unique + "new"], before.Select(c => c.Serial));
    }

    [Fact]
    public async Task RevokeNode_Again_TheNewerTimeAndReasonWin()
    {
        await Store.RevokeNodeAsync(Unique + "-n", [(Unique + "01", T0.AddDays(1))], "first", T0, None);
        await Store.RevokeNodeAsync(Unique + "-n", [(Unique + "01", T0.AddDays(1))], "second", T0.AddMinutes(1), None);

        var (certificates, nodes) = await MineAsync(T0);

        Assert.Equal([new RevokedCertificate(Unique + "01", T0.AddDays(1), T0.AddMinutes(1), "second")], certificates);
        Assert.Equal(T0.AddMinutes(1), nodes[Unique + "-n"]);
    }

    [Fact]
    public async Task Reinstate_LiftsTheNode_ButItsCertificatesStayRevoked()
    {
        await Store.RevokeNodeAsync(Unique + "-n", [(Unique + "01", T0.AddDays(1))], "r", T0, None);

        await Store.ReinstateNodeAsync(Unique + "-n", None);

        var (certificates, nodes) = await MineAsync(T0);
        Assert.Empty(nodes);
        Assert.Equal([Unique + "01"], certificates.Select(c => c.Serial));
    }
}

public sealed class SqliteRevocationStoreTests : RevocationStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenSqliteAsync();

    protected override void CreateStore() => Store = new RevocationStore(Sqlite);
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresRevocationStoreTests(PostgresServer server) : RevocationStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenPostgresAsync(server);

    protected override void CreateStore() => Store = new RevocationStore(Postgres);
}
