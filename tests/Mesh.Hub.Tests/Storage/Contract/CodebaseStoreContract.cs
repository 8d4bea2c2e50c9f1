using Mesh.Hub.Agents.Codebases;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

/// <summary>Codebases and their node bindings round-trip; a name is created once; bind replaces a path; unbind and delete remove rows.</summary>
public abstract class CodebaseStoreContract : StoreContract
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected CodebaseStore Store { get; set; } = null!;

    private async Task<Codebase?> LoadAsync(string name) => (await Store.LoadAsync(None)).SingleOrDefault(c => c.Name == name);

    [Fact]
    public async Task Create_Bind_Unbind_Delete_RoundTrip()
    {
        var name = Unique + "-web";
        Assert.True(await Store.CreateAsync(new Codebase(name, new Dictionary<string, string> { ["n1"] = "/srv/web", ["n2"] = "/home/web" }, T0), None));
        Assert.False(await Store.CreateAsync(new Codebase(name, new Dictionary<string, string> { ["n3"] = "/x" }, T0), None));

        var loaded = (await LoadAsync(name))!;
        Assert.Equal(T0.ToUnixTimeMilliseconds(), loaded.CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(new Dictionary<string, string> { ["n1"] = "/srv/web", ["n2"] = "/home/web" }, loaded.Paths);

        await Store.BindAsync(name, "n2", "/srv/web2", None);
        await Store.BindAsync(name, "n3", "/srv/web3", None);
        await Store.UnbindAsync(name, "n1", None);
        Assert.Equal(new Dictionary<string, string> { ["n2"] = "/srv/web2", ["n3"] = "/srv/web3" }, (await LoadAsync(name))!.Paths);

        Assert.Equal(1, await Store.DeleteAsync(name, None));
        Assert.Null(await LoadAsync(name));
        Assert.Equal(0, await Store.DeleteAsync(name, None));
    }
}

public sealed class SqliteCodebaseStoreTests : CodebaseStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenSqliteAsync();

    protected override void CreateStore() => Store = new CodebaseStore(Sqlite);
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresCodebaseStoreTests(PostgresServer server) : CodebaseStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenPostgresAsync(server);

    protected override void CreateStore() => Store = new CodebaseStore(Postgres);
}
