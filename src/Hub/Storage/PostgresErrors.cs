using System.Net.Sockets;
using Mesh.Core.Configuration;
using Npgsql;

namespace Mesh.Hub.Storage;

/// <summary>Turns a failure to reach or use PostgreSQL into a message that says what to check, with any password removed.</summary>
public static class PostgresErrors
{
    public const string RetryAdvice =
        "The hub does not retry at start-up: fix it and start the hub again (systemd's Restart=on-failure or a Kubernetes restart does this on its own).";

    /// <param name="startup">At start-up a lost server stops the hub, so the message says how it gets retried.</param>
    public static StoreException Describe(Exception ex, PostgresStoreConfig config, bool startup = true)
    {
        var retry = startup ? " " + RetryAdvice : "";
        var server = $"PostgreSQL at {config.Server} ([store] url)";
        var message = ex switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } pg =>
                $"{server} refused user '{config.Username}': {pg.MessageText}. Check the password in [store] password_file or password_env, and the server's pg_hba.conf.",
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } =>
                $"{server} has no database '{config.Database}'. Create it, e.g. createdb -O {config.Username} {config.Database}, or fix the URL's path.",
            PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } pg =>
                $"{server}: user '{config.Username}' lacks a privilege the hub needs: {pg.MessageText}. The hub's user must own its database (or its schema).",
            PostgresException pg => $"{server}: {pg.SqlState}: {pg.MessageText}",
            _ when Find<SocketException>(ex) is { } socket =>
                $"cannot reach {server}: {socket.Message}. Check that the server runs and accepts connections from this machine (listen_addresses, pg_hba.conf, firewalls, DNS).{retry}",
            _ when Find<TimeoutException>(ex) is not null =>
                $"no answer from {server} within the connect timeout. Check that the server runs and that the network lets this machine reach it.{retry}",
            _ => $"{server}: {ex.Message}{retry}",
        };
        return new StoreException(Redact(message, config), ex);
    }

    /// <summary>Replaces every occurrence of the configured password with "(secret)", in case a server or driver message quotes it.</summary>
    public static string Redact(string text, PostgresStoreConfig config) =>
        config.Password is { } password && password.Reveal().Length > 0
            ? text.Replace(password.Reveal(), "(secret)", StringComparison.Ordinal)
            : text;

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T match)
                return match;
        }

        return null;
    }
}
