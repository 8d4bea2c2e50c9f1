using System.Net;
using System.Net.Sockets;
using Mesh.Core.Tests;
using Mesh.Hub.Access;
using Mesh.Hub.Audit;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Storage.Contract;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Cli;

/// <summary>The real mesh binary against the real PostgreSQL server (and SQLite): migrate, and the start-up failures [store] can meet.</summary>
[Collection(PostgresServer.Collection)]
public sealed class StoreCommandTests(PostgresServer server) : IDisposable
{
    private const string PasswordVariable = "MESH_TEST_PG_PASSWORD";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Config(string store) => _dir.Write("hub.toml", $"""
        [server]
        role = "hub"
        listen = "127.0.0.1:0"
        data_dir = "data"
        [internal_grpc]
        listen = "127.0.0.1:0"
        {store}
        """);

    private string PostgresConfig(string database, int? port = null) => Config($"""
        [store]
        kind = "postgres"
        url = "postgres://{PostgresServer.User}@127.0.0.1:{port ?? server.Port}/{database}"
        password_env = "{PasswordVariable}"
        """);

    private static Task<(int ExitCode, string Stdout, string Stderr)> Mesh(string password, params string[] args) =>
        MeshProcess.RunWithAsync(args, new Dictionary<string, string?> { [PasswordVariable] = password });

    [Fact]
    public async Task StoreMigrate_Postgres_AppliesEveryStepOnce()
    {
        await server.DatabaseAsync("migrate_cli");
        var config = PostgresConfig("migrate_cli");

        var first = await Mesh(server.Password, "store", "migrate", "--config", config);
        var second = await Mesh(server.Password, "store", "migrate", "--config", config);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains($"store postgres://mesh@127.0.0.1:{server.Port}/migrate_cli: applied 19 step(s): store-001, cluster-001, audit-001, registry-001", first.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("web-001, web-002, web-003", first.Stdout.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("schema up to date", second.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Password, first.Stdout + first.Stderr + second.Stdout + second.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "data")), "migrate against PostgreSQL creates nothing on disk");
    }

    [Fact]
    public async Task StoreMigrate_Sqlite_CreatesTheFile()
    {
        var (code, stdout, stderr) = await Mesh("", "store", "migrate", "--config", Config(""));

        Assert.True(code == 0, stderr);
        Assert.Contains("store sqlite: applied 19 step(s)", stdout, StringComparison.Ordinal);
        Assert.EndsWith("web-001, web-002, web-003", stdout.TrimEnd(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir.Path, "data", "mesh.db")));
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "data", "certs")), "migrate creates no CA");
    }

    [Fact]
    public async Task Run_PostgresUnreachable_ExitsOneWithWhatToCheckAndRetryAdvice()
    {
        var port = ClosedPort();

        var (code, _, stderr) = await Mesh(server.Password, "run", "--config", PostgresConfig("whatever", port));

        Assert.Equal(1, code);
        Assert.Contains($"error: cannot reach PostgreSQL at 127.0.0.1:{port} ([store] url)", stderr, StringComparison.Ordinal);
        Assert.Contains("does not retry at start-up", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Password, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("store migrate")]
    public async Task WrongPassword_ExitsOneNamingTheUser_NeverThePassword(string command)
    {
        await server.DatabaseAsync("wrong_password");
        const string Wrong = "Wr0ng-password-that-must-not-appear";

        var (code, stdout, stderr) = await Mesh(Wrong, [.. command.Split(' '), "--config", PostgresConfig("wrong_password")]);

        Assert.Equal(1, code);
        Assert.Contains($"PostgreSQL at 127.0.0.1:{server.Port} ([store] url) refused user 'mesh'", stderr, StringComparison.Ordinal);
        Assert.Contains("password_env", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Password, stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PostgresSchemaFromANewerMesh_ExitsOneAndChangesNothing()
    {
        var settings = await server.DatabaseAsync("newer_schema");
        await using (var database = new PostgresDatabase(settings, StoreContract.Schema))
        {
            await database.MigrateAsync(CancellationToken.None);
            await using var connection = await database.OpenAsync(CancellationToken.None);
            await using var future = connection.Command("INSERT INTO schema_migrations (id) VALUES ('registry-999'), ('schedules-999')");
            await future.ExecuteNonQueryAsync();
        }

        var run = await Mesh(server.Password, "run", "--config", PostgresConfig("newer_schema"));
        var migrate = await Mesh(server.Password, "store", "migrate", "--config", PostgresConfig("newer_schema"));

        foreach (var (code, _, stderr) in new[] { run, migrate })
        {
            Assert.Equal(1, code);
            Assert.Contains("holds a schema from a newer Mesh", stderr, StringComparison.Ordinal);
            Assert.Contains("(registry-999, schedules-999)", stderr, StringComparison.Ordinal);
            Assert.Contains("Mesh never downgrades a schema", stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Run_SqliteSchemaFromANewerMesh_ExitsOne()
    {
        var data = Directory.CreateDirectory(Path.Combine(_dir.Path, "data")).FullName;
        var database = new HubDatabase(Path.Combine(data, "mesh.db"), StoreContract.Schema);
        await database.MigrateAsync(CancellationToken.None);
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        await using (var future = connection.Command("INSERT INTO schema_migrations (id, applied_at) VALUES ('agents-999', '2031-01-01T00:00:00Z')"))
            await future.ExecuteNonQueryAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var (code, stdout, stderr) = await Mesh("", "run", "--config", Config(""));

        Assert.Equal(1, code);
        Assert.Contains($"error: the store {Path.Combine(data, "mesh.db")} holds a schema from a newer Mesh", stderr, StringComparison.Ordinal);
        Assert.Contains("(agents-999)", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("mesh hub ready", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminResetPassword_Postgres_ChangesTheHashInThatStore_AndAudits()
    {
        var config = PostgresConfig("reset_cli");
        await using var database = new PostgresDatabase(await server.DatabaseAsync("reset_cli"), []);
        var accounts = new AccountStore(database);

        var empty = await Mesh(server.Password, "admin", "reset-password", "--config", config);
        Assert.Equal(1, empty.ExitCode);
        Assert.Contains("no UI account 'root': the store has no accounts yet", empty.Stderr, StringComparison.Ordinal);

        await accounts.UpsertUserAsync("root", "root", PasswordHasher.Hash("the-old-root-password"), DateTimeOffset.UtcNow, CancellationToken.None);
        await accounts.RecordSuccessfulLoginAsync("root", DateTimeOffset.UtcNow, CancellationToken.None);
        var (code, stdout, stderr) = await Mesh(server.Password, "admin", "reset-password", "--config", config);

        Assert.True(code == 0, stderr);
        var password = System.Text.RegularExpressions.Regex.Match(stdout, "one-time password (\\S+)").Groups[1].Value;
        var root = (await accounts.GetUserAsync("root", CancellationToken.None))!;
        Assert.True(PasswordHasher.Verify(password, root.PasswordHash), stdout);
        Assert.False(PasswordHasher.Verify("the-old-root-password", root.PasswordHash));
        Assert.False(await accounts.HasLoggedInAsync("root", CancellationToken.None), "a reset password counts as never used");
        IAuditLog log = new AuditLog(database, TimeProvider.System);
        var audit = await log.ListAsync(10, null, CancellationToken.None);
        Assert.Contains(audit, e => e is { Actor: "cli", Action: PasswordReset.AuditAction, Target: "root" });
        Assert.DoesNotContain(server.Password, stdout + stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "data")), "a reset against PostgreSQL creates nothing on disk");
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
