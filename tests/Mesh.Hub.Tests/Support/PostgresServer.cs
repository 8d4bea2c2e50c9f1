using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Mesh.Core.Configuration;
using Npgsql;

namespace Mesh.Hub.Tests.Support;

/// <summary>
/// A real PostgreSQL server (Debian's postgresql package) for one test run: initdb in a temp folder (as the
/// unprivileged user "nobody" when the tests run as root, as PostgreSQL refuses to run as root), listening only on
/// 127.0.0.1 on a free port and on a socket inside that folder, password (SCRAM) logins. Shared through the
/// "postgres" collection; each test class asks for its own database.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string Collection = "postgres";
    public const string User = "mesh";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mesh-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly Dictionary<string, Task<PostgresStoreConfig>> _databases = new(StringComparer.Ordinal);
    private string _bin = "";
    private bool _started;

    public string Password { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    public int Port { get; private set; }

    private string DataDir => Path.Combine(_dir, "data");

    private static bool RunningAsRoot => Environment.UserName == "root";

    public async Task InitializeAsync()
    {
        _bin = FindBinaries();
        Directory.CreateDirectory(_dir);
        Directory.CreateDirectory(Path.Combine(_dir, "sock"));
        var passwordFile = Path.Combine(_dir, "pw");
        await File.WriteAllTextAsync(passwordFile, Password);
        if (RunningAsRoot)
            await RunAsync("chown", ["-R", "nobody", _dir], asServerUser: false);

        await RunAsync(Path.Combine(_bin, "initdb"),
            ["-D", DataDir, "-U", User, "--pwfile=" + passwordFile, "-A", "scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"]);
        File.Delete(passwordFile);
        Port = FreePort();
        await StartServerAsync();
        _started = true;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    /// <summary>
    /// With <see cref="Durable"/> a commit waits for its WAL to reach the operating system (synchronous_commit on), so
    /// an immediate stop (as a crash) keeps every acknowledged commit; otherwise commits return before that.
    /// </summary>
    public bool Durable { get; init; }

    /// <summary>Stops the server at once, as a crash would (pg_ctl stop -m immediate); <see cref="StartAsync"/> brings it back.</summary>
    public async Task StopAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDir, "-m", "immediate", "-w", "stop"]);
    }

    /// <summary>Starts the server again on the same port and data folder (crash recovery replays its WAL).</summary>
    public Task StartAsync() => StartServerAsync();

    private async Task StartServerAsync()
    {
        // fsync off: a test server's data is thrown away, and the machine is shared (a process crash loses nothing the OS has).
        var commit = Durable ? "" : " -c synchronous_commit=off";
        var options = $"-c listen_addresses=127.0.0.1 -p {Port} -k {Path.Combine(_dir, "sock")} -c fsync=off{commit} -c full_page_writes=off -c max_connections=200";
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDir, "-l", Path.Combine(_dir, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
    }

    public Task DisposeAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    /// <summary>The [store] settings of a database on this server, created on first use of <paramref name="name"/>.</summary>
    public Task<PostgresStoreConfig> DatabaseAsync(string name)
    {
        lock (_databases)
        {
            if (!_databases.TryGetValue(name, out var database))
                _databases[name] = database = CreateDatabaseAsync(name.ToLowerInvariant());
            return database;
        }
    }

    public PostgresStoreConfig Config(string database, string? password = null, int port = 0) =>
        new("127.0.0.1", port == 0 ? Port : port, database, User, null, new Secret(password ?? Password), 5, TimeSpan.FromSeconds(30));

    /// <summary>A hub's [store] section for <paramref name="settings"/>, its password in a 0600 file written to <paramref name="dir"/>.</summary>
    public string HubStoreToml(PostgresStoreConfig settings, Mesh.Core.Tests.TempDirectory dir)
    {
        var passwordFile = dir.Write("pg-password", Password);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return $"""
            [store]
            kind = "postgres"
            url = "postgres://{settings.Username}@127.0.0.1:{settings.Port}/{settings.Database}"
            password_file = "{passwordFile}"
            """;
    }

    private async Task<PostgresStoreConfig> CreateDatabaseAsync(string name)
    {
        var admin = Config("postgres");
        await using var source = NpgsqlDataSource.Create(Hub.Storage.PostgresDatabase.ConnectionString(admin));
        await using var command = source.CreateCommand($"CREATE DATABASE \"{name}\"");
        await command.ExecuteNonQueryAsync();
        return Config(name);
    }

    private void Stop()
    {
        if (!_started)
            return;
        _started = false;
        NpgsqlConnection.ClearAllPools();
        try
        {
            RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDir, "-m", "immediate", "-w", "stop"]).GetAwaiter().GetResult();
        }
        finally
        {
            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string FindBinaries()
    {
        const string Root = "/usr/lib/postgresql";
        var bin = Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException($"PostgreSQL is not installed (no {Root}/<version>/bin/pg_ctl). Install it: apt-get install postgresql (./test.sh does).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task RunAsync(string file, IReadOnlyList<string> args, bool asServerUser = true)
    {
        var info = new ProcessStartInfo(asServerUser && RunningAsRoot ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        if (asServerUser && RunningAsRoot)
        {
            foreach (var arg in new[] { "-u", "nobody", "--", file })
                info.ArgumentList.Add(arg);
        }

        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_dir, "server.log");
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stdout}{await stderr}{(File.Exists(log) ? "\n" + await File.ReadAllTextAsync(log) : "")}");
        }
    }
}

[CollectionDefinition(PostgresServer.Collection)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>;
