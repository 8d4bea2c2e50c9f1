using Mesh.Core.Configuration;
using static Mesh.Core.Tests.Configuration.ConfigTestHelpers;

namespace Mesh.Core.Tests.Configuration;

/// <summary>[store]: SQLite by default, PostgreSQL with a URL that never holds the password.</summary>
public sealed class StoreConfigTests : IDisposable
{
    private const string Password = "s3cr3t-Pa55word-never-printed";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string PasswordFile(string content = Password + "\n", UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = _dir.Write("pg.password", content);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void Absent_IsSqlite()
    {
        var config = Load(_dir, "");

        Assert.Equal(StoreConfig.Default, config.Store);
        Assert.EndsWith("store sqlite", config.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_WithPasswordFile_ReadsEveryPart_AndPrintsNoPassword()
    {
        PasswordFile();
        var config = Load(_dir, """
            [store]
            kind = "postgres"
            url = "postgres://mesh@db.example.com:6543/mesh_prod?sslmode=verify-full"
            password_file = "pg.password"
            pool_size = 40
            statement_timeout = "5s"
            hub_lease = "9s"
            """);

        var pg = config.Store.Postgres!;
        Assert.Equal(StoreKind.Postgres, config.Store.Kind);
        Assert.Equal(("db.example.com", 6543, "mesh_prod", "mesh", "verify-full", 40, TimeSpan.FromSeconds(5)),
            (pg.Host, pg.Port, pg.Database, pg.Username, pg.SslMode, pg.PoolSize, pg.StatementTimeout));
        Assert.Equal(TimeSpan.FromSeconds(9), pg.Lease);
        Assert.Equal(Password, pg.Password!.Reveal());
        Assert.Equal("postgres://mesh@db.example.com:6543/mesh_prod?sslmode=verify-full", pg.ToString());
        Assert.DoesNotContain(Password, config.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, config.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_Defaults_PortPoolAndTimeout()
    {
        var pg = Load(_dir, "[store]\nkind = \"postgres\"\nurl = \"postgresql://hub@10.0.0.7/mesh\"\n").Store.Postgres!;

        Assert.Equal((5432, 20, TimeSpan.FromSeconds(30), (Secret?)null, (string?)null), (pg.Port, pg.PoolSize, pg.StatementTimeout, pg.Password, pg.SslMode));
        Assert.Equal(TimeSpan.FromSeconds(15), pg.Lease);
    }

    [Fact]
    public void Postgres_PasswordEnv_ReadsTheNamedVariable()
    {
        var env = new Dictionary<string, string?> { ["PG_PASS"] = Password };

        var pg = Load(_dir, "[store]\nkind = \"postgres\"\nurl = \"postgres://mesh@db/mesh\"\npassword_env = \"PG_PASS\"\n", env).Store.Postgres!;

        Assert.Equal(Password, pg.Password!.Reveal());
    }

    [Fact]
    public void Postgres_FromEnvironmentOverridesAlone()
    {
        var env = new Dictionary<string, string?> { ["MESH_STORE__KIND"] = "postgres", ["MESH_STORE__URL"] = "postgres://mesh@db:5433/mesh", ["MESH_STORE__POOL_SIZE"] = "7" };

        var pg = Load(_dir, "", env).Store.Postgres!;

        Assert.Equal(("db", 5433, 7), (pg.Host, pg.Port, pg.PoolSize));
    }

    [Fact]
    public void UrlWithPassword_IsAProblemThatDoesNotQuoteIt()
    {
        var problem = Single(_dir, $"[store]\nkind = \"postgres\"\nurl = \"postgres://mesh:{Password}@db/mesh\"\n");

        Assert.Equal(("store.url", 3, 7), (problem.Key, problem.Location.Line, problem.Location.Column));
        Assert.Contains("holds a password", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mysql://mesh@db/mesh", "is not a postgres:// URL")]
    [InlineData("db.example.com", "is not a postgres:// URL")]
    [InlineData("postgres://db/mesh", "names no user")]
    [InlineData("postgres://mesh@db", "names no database")]
    [InlineData("postgres://mesh@db/a/b", "names no database")]
    [InlineData("postgres://mesh@db/mesh?sslmode=sometimes", "sslmode 'sometimes' is not one of")]
    [InlineData("postgres://mesh@db/mesh?password=x", "has the parameter 'password'")]
    [InlineData("postgres://mesh@db/mesh#top", "has a '#' fragment")]
    public void BadUrl_IsAProblemAtTheKey(string url, string expected)
    {
        var problem = Single(_dir, $"[store]\nkind = \"postgres\"\nurl = \"{url}\"\n");

        Assert.Equal(("store.url", 3), (problem.Key, problem.Location.Line));
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_WithoutUrl_IsMissingAtTheSection()
    {
        var problem = Single(_dir, "[server]\nlisten = \"127.0.0.1:0\"\n[store]\nkind = \"postgres\"\n");

        Assert.Equal(("store.url", 3), (problem.Key, problem.Location.Line));
        Assert.StartsWith("missing:", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKind_SuggestsTheNearest()
    {
        var problem = Single(_dir, "[store]\nkind = \"postgresql\"\n");

        Assert.Equal(("store.kind", 2, 8), (problem.Key, problem.Location.Line, problem.Location.Column));
        Assert.Contains("Did you mean 'postgres'", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("url = \"postgres://mesh@db/mesh\"", "store.url")]
    [InlineData("pool_size = 5", "store.pool_size")]
    [InlineData("statement_timeout = \"5s\"", "store.statement_timeout")]
    [InlineData("password_env = \"PG\"", "store.password_env")]
    [InlineData("hub_lease = \"10s\"", "store.hub_lease")]
    public void PostgresKey_WithSqlite_IsAProblem(string line, string key)
    {
        var problem = Single(_dir, $"[store]\n{line}\n");

        Assert.Equal((key, 2), (problem.Key, problem.Location.Line));
        Assert.Contains("applies only to kind = \"postgres\"", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pool_size = 0", "store.pool_size", "out of range")]
    [InlineData("pool_size = 1001", "store.pool_size", "out of range")]
    [InlineData("statement_timeout = \"500ms\"", "store.statement_timeout", "out of range")]
    [InlineData("statement_timeout = \"2h\"", "store.statement_timeout", "out of range")]
    [InlineData("hub_lease = \"2s\"", "store.hub_lease", "out of range")]
    [InlineData("hub_lease = \"6m\"", "store.hub_lease", "out of range")]
    public void OutOfRange_IsAProblem(string line, string key, string expected)
    {
        var problem = Single(_dir, $"[store]\nkind = \"postgres\"\nurl = \"postgres://mesh@db/mesh\"\n{line}\n");

        Assert.Equal((key, 4), (problem.Key, problem.Location.Line));
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PasswordFileAndEnv_Together_IsAProblem()
    {
        PasswordFile();
        var env = new Dictionary<string, string?> { ["PG_PASS"] = Password };

        var problem = Single(_dir, "[store]\nkind = \"postgres\"\nurl = \"postgres://mesh@db/mesh\"\npassword_file = \"pg.password\"\npassword_env = \"PG_PASS\"\n", env);

        Assert.Equal(("store.password_env", 5), (problem.Key, problem.Location.Line));
        Assert.Contains("only one of password_file and password_env", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PasswordEnv_Unset_IsAProblem()
    {
        var problem = Single(_dir, "[store]\nkind = \"postgres\"\nurl = \"postgres://mesh@db/mesh\"\npassword_env = \"PG_NOT_SET\"\n");

        Assert.Equal(("store.password_env", 4), (problem.Key, problem.Location.Line));
        Assert.Contains("PG_NOT_SET is not set", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PasswordEnv_NotAName_IsAProblem()
    {
        var problem = Single(_dir, "[store]\nkind = \"postgres\"\nurl = \"postgres://mesh@db/mesh\"\npassword_env = \"1-bad\"\n");

        Assert.Contains("is not an environment variable name", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PasswordFile_ReadableByOthers_IsRefusedWithTheChmod()
    {
        var path = PasswordFile(mode: UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var problem = Single(_dir, "[store]\nkind = \"postgres\"\nurl = \"postgres://mesh@db/mesh\"\npassword_file = \"pg.password\"\n");

        Assert.Equal(("store.password_file", 4), (problem.Key, problem.Location.Line));
        Assert.Contains($"chmod 600 {path}", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PasswordFile_MissingOrEmpty_IsAProblem()
    {
        var missing = Single(_dir, "[store]\nkind = \"postgres\"\nurl = \"postgres://mesh@db/mesh\"\npassword_file = \"nope\"\n");
        PasswordFile("\n");
        var empty = Single(_dir, "[store]\nkind = \"postgres\"\nurl = \"postgres://mesh@db/mesh\"\npassword_file = \"pg.password\"\n");

        Assert.Contains("cannot read", missing.Message, StringComparison.Ordinal);
        Assert.Contains("is empty", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Node_IgnoresTheHubsStoreSection()
    {
        var config = Load(_dir, "[server]\nrole = \"node\"\nnode_id = \"n1\"\n[hub]\ntarget = \"https://hub:50051\"\n[store]\nkind = \"postgres\"\n");

        Assert.Equal(StoreConfig.Default, config.Store);
    }
}
