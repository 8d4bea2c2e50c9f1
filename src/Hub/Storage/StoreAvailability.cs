using Npgsql;

namespace Mesh.Hub.Storage;

/// <summary>
/// Whether the hub can use its store right now. A call that fails because the store is gone marks it down at once
/// (<see cref="Refusal"/>); a probe every 2 s (<c>SELECT 1</c>) marks it up again when it answers. The hub's
/// readiness (grpc.health.v1, /readyz) follows it, so a load balancer stops sending work to a hub without its store
/// and sends it again, without a restart, once the store is back.
/// </summary>
public sealed class StoreAvailability(IHubDatabase database, TimeProvider time, ILogger<StoreAvailability> logger) : BackgroundService
{
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);
    private volatile string? _problem;

    public bool IsAvailable => _problem is null;

    /// <summary>Why the store is down (null while it is up).</summary>
    public string? Problem => _problem;

    /// <summary>
    /// When <paramref name="exception"/> says the store is gone: marks it down and returns what to answer the caller
    /// (UNAVAILABLE / 503). Null for any other failure.
    /// </summary>
    public string? Refusal(Exception exception)
    {
        if (!StoreOutage.Is(exception))
            return null;
        MarkDown(StoreOutage.Reason(exception));
        return $"the hub cannot reach its store ({database.Description}: {StoreOutage.Reason(exception)}); the request was not completed. " +
            "Retry shortly (a send with an idempotency key is stored once however often it is retried); the hub serves again as soon as the store is back.";
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(ProbeInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await ProbeAsync(stoppingToken);
        }
    }

    /// <summary>One probe: a connection and <c>SELECT 1</c> within 5 s.</summary>
    internal async Task ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(ProbeTimeout);
            await using var connection = await database.OpenConnectionAsync(limit.Token);
            await using var ping = connection.Command("SELECT 1");
            await ping.ExecuteScalarAsync(limit.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            MarkDown(StoreOutage.Is(ex) || ex is OperationCanceledException ? StoreOutage.Reason(ex) : ex.GetType().Name);
            return;
        }

        if (_problem is null)
            return;
        _problem = null;
        // Connections opened before the outage are dead; drop the idle ones rather than fail a call on each.
        ClearIdleConnections();
        StoreLog.Reachable(logger, database.Description);
    }

    private void MarkDown(string reason)
    {
        var was = _problem;
        _problem = reason;
        if (was is not null)
            return;
        ClearIdleConnections();
        StoreLog.Unavailable(logger, database.Description, reason);
    }

    private void ClearIdleConnections()
    {
        if (database is PostgresDatabase postgres)
            postgres.DataSource.Clear();
    }
}

internal static partial class StoreLog
{
    [LoggerMessage(EventId = 1601, EventName = "StoreUnavailable", Level = LogLevel.Warning,
        Message = "The store {Store} is unavailable ({Reason}): the hub reports NOT_SERVING and answers calls that need it with UNAVAILABLE / 503 until it is back")]
    public static partial void Unavailable(ILogger logger, string store, string reason);

    [LoggerMessage(EventId = 1602, EventName = "StoreReachable", Level = LogLevel.Information, Message = "The store {Store} answers again: the hub serves")]
    public static partial void Reachable(ILogger logger, string store);
}
