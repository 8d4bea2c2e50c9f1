using System.Net.Sockets;
using Npgsql;

namespace Mesh.Hub.Storage;

/// <summary>
/// Which failures mean "the store cannot be reached right now" (PostgreSQL stopped, restarting, failing over, or the
/// network to it gone) rather than a bug or bad input: those are answered UNAVAILABLE / 503 and the hub reports
/// NOT_SERVING until the store answers again.
/// </summary>
public static class StoreOutage
{
    /// <summary>True when <paramref name="exception"/>, or one it wraps, is a lost or refused connection to the store.</summary>
    public static bool Is(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case SchemaTooNewException:
                    return false;
                case StoreException:
                    return true;
                // Connection errors (08…) and the server shutting down or starting up (57P01-57P03).
                case PostgresException pg:
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal);
                // Raised by the client side of Npgsql: refused, reset or timed-out connections.
                case NpgsqlException:
                    return true;
            }
        }

        return false;
    }

    /// <summary>A short reason for logs and answers, from the exception's kind (never its text, which could quote a connection string).</summary>
    public static string Reason(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case SocketException socket:
                    return "cannot connect: " + socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "connection refused",
                        SocketError.TimedOut => "timed out",
                        SocketError.HostNotFound or SocketError.TryAgain => "host not found",
                        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "unreachable",
                        SocketError.ConnectionReset => "connection reset",
                        _ => socket.SocketErrorCode.ToString(),
                    };
                case PostgresException pg:
                    return $"{pg.SqlState}: {pg.MessageText}";
                case TimeoutException or OperationCanceledException:
                    return "no answer in time";
            }
        }

        return "the connection failed or was lost";
    }
}
