using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Mesh.Bench;

/// <summary>
/// A PostgreSQL server of Debian's postgresql package for one benchmark run, with its durable defaults (fsync and
/// synchronous_commit on, as a deployment runs it): initdb in a temp folder (as "nobody" when run as root, since
/// PostgreSQL refuses root), listening on 127.0.0.1 only on a free port, SCRAM password logins. Stopped and deleted on
/// dispose.
/// </summary>
internal sealed class PostgresInstance : IAsyncDisposable
{
    public const string User = "mesh";

    /// <summary>
    /// Server settings (for <see cref="StartAsync"/>) that load pg_stat_statements (shipped with Debian's postgresql
    /// package), counting every statement, BEGIN and COMMIT included: how many statements a message costs.
    /// </summary>
    public const string StatementStatsOptions = "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c pg_stat_statements.track_utility=on";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mesh-bench-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _bin;

    private PostgresInstance(string bin) => _bin = bin;

    public string Password { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    public int Port { get; private set; }

    public string Version => Path.GetFileName(Path.GetDirectoryName(_bin)!);

    private string DataDir => Path.Combine(_dir, "data");

    private static bool RunningAsRoot => Environment.UserName == "root";

    /// <summary>The newest installed server's bin folder, or null when PostgreSQL is not installed.</summary>
    public static string? FindBinaries()
    {
        const string Root = "/usr/lib/postgresql";
        return Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
            : null;
    }

    /// <param name="extraOptions">More <c>-c name=value</c> server settings (max_connections for many hubs, say).</param>
    public static async Task<PostgresInstance> StartAsync(string extraOptions = "")
    {
        var instance = new PostgresInstance(FindBinaries() ?? throw new InvalidOperationException("PostgreSQL is not installed: apt-get install -y postgresql"));
        await instance.InitAsync(extraOptions);
        return instance;
    }

    /// <summary>Creates a database owned by <see cref="User"/>.</summary>
    public Task CreateDatabaseAsync(string name) =>
        RunAsync(Path.Combine(_bin, "createdb"), ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", User, name],
            new Dictionary<string, string> { ["PGPASSWORD"] = Password });

    /// <summary>A client connection string to database <paramref name="database"/> (it holds the password: never print it).</summary>
    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Database={database};Username={User};Password={Password}";

    /// <summary>The <c>[store]</c> section of a hub using database <paramref name="database"/>, its password from <paramref name="passwordEnv"/>.</summary>
    public string StoreToml(string database, string passwordEnv, int poolSize = 20) => $"""
        [store]
        kind = "postgres"
        url = "postgres://{User}@127.0.0.1:{Port}/{database}"
        password_env = "{passwordEnv}"
        pool_size = {poolSize}
        """;

    private async Task InitAsync(string extraOptions)
    {
        Directory.CreateDirectory(_dir);
        var passwordFile = Path.Combine(_dir, "pw");
        await File.WriteAllTextAsync(passwordFile, Password);
        if (RunningAsRoot)
            await RunAsync("chown", ["-R", "nobody", _dir], asServerUser: false);
        await RunAsync(Path.Combine(_bin, "initdb"), ["-D", DataDir, "-U", User, "--pwfile=" + passwordFile, "-A", "scram-sha-256", "-E", "UTF8", "--locale=C"]);
        File.Delete(passwordFile);
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var options = $"-c listen_addresses=127.0.0.1 -p {Port} -k {_dir} -c max_connections=300 {extraOptions}";
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDir, "-l", Path.Combine(_dir, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDir, "-m", "fast", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>The server's process id (for its CPU time); the postmaster's, whose children do the work.</summary>
    public int PostmasterPid => int.Parse(File.ReadLines(Path.Combine(DataDir, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    private Task RunAsync(string file, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null) => RunAsync(file, args, asServerUser: true, environment);

    private async Task RunAsync(string file, IReadOnlyList<string> args, bool asServerUser, IReadOnlyDictionary<string, string>? environment = null)
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
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stdout}{await stderr}");
    }
}
