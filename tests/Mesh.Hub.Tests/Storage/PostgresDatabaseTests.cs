using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Storage.Contract;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage;

[Collection(PostgresServer.Collection)]
public sealed class PostgresDatabaseTests(PostgresServer server)
{
    [Fact]
    public async Task Migrate_ManyHubsAtOnce_ApplyEachStepExactlyOnce()
    {
        var settings = await server.DatabaseAsync("migrate_race");
        var hubs = Enumerable.Range(0, 4).Select(_ => new PostgresDatabase(settings, StoreContract.Schema)).ToList();

        var applied = await Task.WhenAll(hubs.Select(h => Task.Run(() => h.MigrateAsync(CancellationToken.None))));

        var all = applied.SelectMany(ids => ids).ToList();
        Assert.Equal(StoreContract.Schema.SelectMany(s => s.PostgresMigrations).Select(m => m.Id), all);
        await using var connection = await hubs[0].OpenAsync(CancellationToken.None);
        await using var count = connection.Command("SELECT count(*) FROM schema_migrations");
        Assert.Equal((long)all.Count, await count.ExecuteScalarAsync());
        foreach (var hub in hubs)
            await hub.DisposeAsync();
    }

    [Fact]
    public async Task EverySession_CarriesTheConfiguredStatementTimeout()
    {
        var settings = await server.DatabaseAsync("statement_timeout") with { StatementTimeout = TimeSpan.FromSeconds(3) };
        await using var database = new PostgresDatabase(settings, []);

        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var show = connection.Command("SHOW statement_timeout");

        Assert.Equal("3s", await show.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Open_UnknownDatabase_SaysHowToCreateIt()
    {
        await using var database = new PostgresDatabase(server.Config("no_such_db"), []);

        var error = await Assert.ThrowsAsync<StoreException>(() => database.OpenAsync(CancellationToken.None));

        Assert.Equal($"PostgreSQL at 127.0.0.1:{server.Port} ([store] url) has no database 'no_such_db'. Create it, e.g. createdb -O mesh no_such_db, or fix the URL's path.", error.Message);
    }

    [Fact]
    public void Describe_RedactsThePasswordWhereverAMessageQuotesIt()
    {
        var settings = server.Config("x", password: "hunter2-long-password");

        var error = PostgresErrors.Describe(new InvalidOperationException("login with hunter2-long-password failed"), settings);

        Assert.DoesNotContain("hunter2-long-password", error.Message, StringComparison.Ordinal);
        Assert.Contains("login with (secret) failed", error.Message, StringComparison.Ordinal);
    }
}
