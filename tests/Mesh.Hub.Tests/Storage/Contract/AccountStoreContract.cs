using Mesh.Hub.Access;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

public abstract class AccountStoreContract : StoreContract
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected IAccountStore Store { get; set; } = null!;

    [Fact]
    public async Task AddUser_ThenGet_RoundTrips_AndASecondAddIsRefused()
    {
        var name = Unique + "-ann";

        Assert.True(await Store.AddUserAsync(name, "viewer", "hash-1", T0, None));
        Assert.False(await Store.AddUserAsync(name, "root", "hash-2", T0.AddMinutes(1), None));

        Assert.Equal(new UiUser(name, "viewer", "hash-1", T0, 0, null), await Store.GetUserAsync(name, None));
        Assert.Null(await Store.GetUserAsync(Unique + "-nobody", None));
    }

    [Fact]
    public async Task RecordLogin_KeepsFailuresAndLockout_AndUpsertResetsThem()
    {
        var name = Unique + "-bob";
        await Store.UpsertUserAsync(name, "viewer", "hash-1", T0, None);
        await Store.RecordLoginAsync(name, 5, T0.AddMinutes(15), None);
        Assert.Equal(new UiUser(name, "viewer", "hash-1", T0, 5, T0.AddMinutes(15)), await Store.GetUserAsync(name, None));

        await Store.UpsertUserAsync(name, "root", "hash-2", T0.AddHours(1), None);

        Assert.Equal(new UiUser(name, "root", "hash-2", T0, 0, null), await Store.GetUserAsync(name, None));
    }

    [Fact]
    public async Task ListUsers_OrdersByNameOrdinally()
    {
        foreach (var suffix in new[] { "b", "B", "a" })
            await Store.AddUserAsync($"{Unique}-{suffix}", "viewer", "h", T0, None);

        var mine = (await Store.ListUsersAsync(None)).Select(u => u.Name).Where(n => n.StartsWith(Unique, StringComparison.Ordinal));

        Assert.Equal([$"{Unique}-B", $"{Unique}-a", $"{Unique}-b"], mine);
    }

    [Fact]
    public async Task SuccessfulLogin_IsRemembered_UntilANewPasswordIsUpserted()
    {
        var name = Unique + "-cat";
        await Store.UpsertUserAsync(name, "root", "hash-1", T0, None);
        await Store.RecordLoginAsync(name, 3, T0.AddMinutes(15), None);
        Assert.False(await Store.HasLoggedInAsync(name, None));

        await Store.RecordSuccessfulLoginAsync(name, T0.AddMinutes(20), None);

        Assert.True(await Store.HasLoggedInAsync(name, None));
        Assert.Equal(new UiUser(name, "root", "hash-1", T0, 0, null), await Store.GetUserAsync(name, None));
        await Store.UpsertUserAsync(name, "root", "hash-2", T0.AddHours(1), None);
        Assert.False(await Store.HasLoggedInAsync(name, None));
        Assert.False(await Store.HasLoggedInAsync(Unique + "-nobody", None));
    }

    [Fact]
    public async Task SetPassword_ChangesOnlyTheHash_ClearsLockout_AndSaysWhetherItWasUsed()
    {
        var name = Unique + "-dan";
        await Store.AddUserAsync(name, "viewer", "hash-1", T0, None);
        await Store.RecordLoginAsync(name, 5, T0.AddMinutes(15), None);

        Assert.True(await Store.SetPasswordAsync(name, "hash-2", used: true, T0.AddMinutes(1), None));
        Assert.Equal(new UiUser(name, "viewer", "hash-2", T0, 0, null), await Store.GetUserAsync(name, None));
        Assert.True(await Store.HasLoggedInAsync(name, None));

        Assert.True(await Store.SetPasswordAsync(name, "hash-3", used: false, T0.AddMinutes(2), None));
        Assert.Equal("hash-3", (await Store.GetUserAsync(name, None))!.PasswordHash);
        Assert.False(await Store.HasLoggedInAsync(name, None));

        Assert.False(await Store.SetPasswordAsync(Unique + "-nobody", "hash-4", used: false, T0, None));
        Assert.Null(await Store.GetUserAsync(Unique + "-nobody", None));
    }

    [Fact]
    public async Task DeleteViewer_RemovesViewersOnly()
    {
        var viewer = Unique + "-eve";
        var root = Unique + "-fay";
        await Store.AddUserAsync(viewer, "viewer", "h", T0, None);
        await Store.AddUserAsync(root, "root", "h", T0, None);

        Assert.False(await Store.DeleteViewerAsync(root, None));
        Assert.True(await Store.DeleteViewerAsync(viewer, None));
        Assert.False(await Store.DeleteViewerAsync(viewer, None));

        Assert.Null(await Store.GetUserAsync(viewer, None));
        Assert.NotNull(await Store.GetUserAsync(root, None));
    }

    [Fact]
    public async Task Tokens_AddGetListRevokeTouch()
    {
        var older = new UiApiToken(Unique + "1", "ci", "viewer", T0, "root", null, null, T0.AddDays(90));
        var newer = new UiApiToken(Unique + "2", "deploy", "root", T0.AddMinutes(1), "root", null, null, null);
        byte[] hash = [1, 2, 3, 0, 255];
        await Store.AddTokenAsync(older, hash, None);
        await Store.AddTokenAsync(newer, [9], None);

        var (token, secretHash) = (await Store.GetTokenAsync(older.Id, None))!.Value;
        Assert.Equal(older, token);
        Assert.Equal(hash, secretHash);
        Assert.Null(await Store.GetTokenAsync(Unique + "x", None));
        Assert.Equal([newer, older], (await Store.ListTokensAsync(None)).Where(t => t.Id.StartsWith(Unique, StringComparison.Ordinal)));

        await Store.TouchTokenAsync(older.Id, T0.AddHours(1), None);
        Assert.True(await Store.RevokeTokenAsync(older.Id, T0.AddHours(2), None));
        Assert.False(await Store.RevokeTokenAsync(older.Id, T0.AddHours(3), None));
        Assert.Equal(older with { LastUsedAt = T0.AddHours(1), RevokedAt = T0.AddHours(2) }, (await Store.GetTokenAsync(older.Id, None))!.Value.Token);
    }
}

public sealed class SqliteAccountStoreTests : AccountStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenSqliteAsync();

    protected override void CreateStore() => Store = new AccountStore(Sqlite);
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresAccountStoreTests(PostgresServer server) : AccountStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenPostgresAsync(server);

    protected override void CreateStore() => Store = new AccountStore(Postgres);
}
