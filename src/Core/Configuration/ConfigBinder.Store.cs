namespace Mesh.Core.Configuration;

internal sealed partial class ConfigBinder
{
    private static readonly string[] PostgresOnlyKeys = ["url", "password_file", "password_env", "pool_size", "statement_timeout", "hub_lease"];

    // Only the hub has a store; a node sharing the hub's file ignores [store].
    private StoreConfig BindStore(MeshRole role)
    {
        if (role != MeshRole.Hub)
            return StoreConfig.Default;
        var kindValue = _raw.Get("store.kind");
        switch (kindValue?.Value as string)
        {
            case null or "sqlite":
                foreach (var name in PostgresOnlyKeys)
                {
                    if (_raw.Get("store." + name) is { } extra)
                        Problem(extra, "applies only to kind = \"postgres\". Remove it, or set kind = \"postgres\" under [store].");
                }

                return StoreConfig.Default;
            case "postgres":
                return BindPostgres() is { } postgres ? new StoreConfig(StoreKind.Postgres, postgres) : StoreConfig.Default;
            default:
                var text = (string)kindValue.Value;
                Problem(kindValue, $"unknown store kind '{text}'.{Suggestions.DidYouMean(text, ["sqlite", "postgres"])} Use \"sqlite\" or \"postgres\".");
                return StoreConfig.Default;
        }
    }

    private PostgresStoreConfig? BindPostgres()
    {
        var urlValue = _raw.Get("store.url");
        if (urlValue is null)
        {
            Missing("store", "url", "kind = \"postgres\" needs the server. Add url = \"postgres://mesh@db.example.com:5432/mesh\" under [store].");
            return null;
        }

        var password = BindStorePassword();
        var url = ParsePostgresUrl(urlValue);
        if (url is null)
            return null;
        var (host, port, database, user, sslMode) = url.Value;
        return new PostgresStoreConfig(host, port, database, user, sslMode, password,
            Int("store.pool_size") ?? PostgresStoreConfig.DefaultPoolSize,
            _raw.Get("store.statement_timeout")?.Value as TimeSpan? ?? PostgresStoreConfig.DefaultStatementTimeout,
            _raw.Get("store.hub_lease")?.Value as TimeSpan? ?? PostgresStoreConfig.DefaultHubLease);
    }

    // Messages never quote the URL: it may hold a password, and these lines reach terminals and logs.
    private (string Host, int Port, string Database, string User, string? SslMode)? ParsePostgresUrl(RawValue value)
    {
        const string Example = "Write postgres://user@host:5432/database.";
        var text = (string)value.Value;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql"))
        {
            Problem(value, $"is not a postgres:// URL. {Example}");
            return null;
        }

        var userInfo = uri.UserInfo;
        if (userInfo.Contains(':', StringComparison.Ordinal))
        {
            Problem(value, "holds a password; the URL is shown in logs and summaries. Remove it from the URL and put it in password_file or password_env under [store].");
            return null;
        }

        var ok = true;
        if (userInfo.Length == 0)
            ok = Fail(value, $"names no user. {Example}");
        if (uri.Host.Length == 0)
            ok = Fail(value, $"names no host. {Example}");
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0 || database.Contains('/', StringComparison.Ordinal))
            ok = Fail(value, $"names no database (the path after the host). {Example}");
        if (uri.Fragment.Length > 0)
            ok = Fail(value, "has a '#' fragment, which a database URL does not use. Remove it.");

        string? sslMode = null;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, setting) = pair.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0 ? (pair[..eq], Uri.UnescapeDataString(pair[(eq + 1)..])) : (pair, "");
            if (name != "sslmode")
                ok = Fail(value, $"has the parameter '{name}', which Mesh does not pass on; only sslmode is accepted.");
            else if (!PostgresStoreConfig.SslModes.Contains(setting))
                ok = Fail(value, $"sslmode '{setting}' is not one of {string.Join(", ", PostgresStoreConfig.SslModes)}.");
            else
                sslMode = setting;
        }

        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host;
        return ok ? (host, uri.IsDefaultPort || uri.Port < 0 ? PostgresStoreConfig.DefaultPort : uri.Port, database, Uri.UnescapeDataString(userInfo), sslMode) : null;
    }

    private Secret? BindStorePassword()
    {
        var file = _raw.Get("store.password_file");
        var env = _raw.Get("store.password_env");
        if (file is not null && env is not null)
        {
            Problem(env, "only one of password_file and password_env can be set. Keep the one your deployment provides.");
            return null;
        }

        if (env is not null)
            return BindPasswordFromEnvironment(env);
        return file is null ? null : BindPasswordFromFile(file);
    }

    private Secret? BindPasswordFromEnvironment(RawValue value)
    {
        var name = (string)value.Value;
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            return Fail<Secret>(value, $"'{name}' is not an environment variable name (letters, digits and '_', not starting with a digit).");
        var password = _environment.GetValueOrDefault(name);
        return string.IsNullOrEmpty(password)
            ? Fail<Secret>(value, $"the environment variable {name} is not set or is empty. Set it to the database password in the hub's environment.")
            : new Secret(password);
    }

    private Secret? BindPasswordFromFile(RawValue value)
    {
        var path = ResolvePath((string)value.Value);
        string content;
        try
        {
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
                return Fail<Secret>(value, $"'{path}' can be read or written by other users. Run: chmod 600 {path}");
            content = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail<Secret>(value, $"cannot read '{path}': {ex.Message}");
        }

        var password = content.Split('\n')[0].TrimEnd('\r');
        return password.Length == 0
            ? Fail<Secret>(value, $"'{path}' is empty; its first line must be the database password.")
            : new Secret(password);
    }

    private bool Fail(RawValue value, string message)
    {
        Problem(value, message);
        return false;
    }

    private T? Fail<T>(RawValue value, string message)
        where T : class
    {
        Problem(value, message);
        return null;
    }

}
