using System.Data.Common;
using Mesh.Hub.Storage;
using Npgsql;

namespace Mesh.Hub.Cluster;

/// <summary>
/// The bus of hubs sharing a PostgreSQL database: <c>pg_notify</c> to publish (in the writer's transaction when given
/// one, so a notification is never seen before its row), and one dedicated connection per hub that LISTENs. When that
/// connection is lost the hub reconnects with backoff and, once it listens again, tells every subscriber
/// <see cref="BusNotification.Missed"/>: notifications sent meanwhile are gone, the tables are not.
/// </summary>
public sealed class PostgresHubBus : BackgroundService, IHubBus
{
    /// <summary>The one PostgreSQL channel every bus channel travels on (see <see cref="BusMessages.Encode"/>).</summary>
    public const string PostgresChannel = "mesh_bus";

    public const string ApplicationName = "mesh-hub-bus";

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);

    private readonly PostgresDatabase _database;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresHubBus> _logger;
    private readonly BusSubscribers _subscribers;
    private int _listenerProcessId;

    public PostgresHubBus(PostgresDatabase database, TimeProvider time, ILogger<PostgresHubBus> logger)
    {
        _database = database;
        _time = time;
        _logger = logger;
        _subscribers = new BusSubscribers(logger);
    }

    /// <summary>The server process of the listening connection, 0 while there is none (tests end it to prove reconnects).</summary>
    internal int ListenerProcessId => Volatile.Read(ref _listenerProcessId);

    public async Task PublishAsync(string channel, string message, CancellationToken cancellationToken)
    {
        BusMessages.Check(channel, message);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await NotifyAsync(connection, null, channel, message, cancellationToken);
    }

    public Task PublishAsync(string channel, string message, DbTransaction transaction, CancellationToken cancellationToken)
    {
        BusMessages.Check(channel, message);
        if (transaction is not NpgsqlTransaction { Connection: { } connection })
            throw new ArgumentException("publish in a transaction of the hub's PostgreSQL database", nameof(transaction));
        return NotifyAsync(connection, transaction, channel, message, cancellationToken);
    }

    // On PostgreSQL the commit itself delivers: NOTIFY inside a transaction is sent when it commits.
    public Task CommitAsync(DbTransaction transaction, CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public IDisposable Subscribe(string channel, Func<BusNotification, CancellationToken, Task> handler) => _subscribers.Add(channel, handler);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _subscribers.DisposeAsync();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(() => failures = 0, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or StoreException or IOException or TimeoutException or InvalidOperationException)
            {
                _subscribers.Lost();
                var delay = Backoff(++failures);
                ClusterLog.ListenerLost(_logger, Describe(ex), delay.TotalSeconds);
                try
                {
                    await Task.Delay(delay, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ListenAsync(Action listening, CancellationToken stoppingToken)
    {
        await using var connection = _database.CreateDedicatedConnection(ApplicationName);
        connection.Notification += OnNotification;
        try
        {
            await connection.OpenAsync(stoppingToken);
            await using (var listen = new NpgsqlCommand("LISTEN " + PostgresChannel, connection))
                await listen.ExecuteNonQueryAsync(stoppingToken);
            Volatile.Write(ref _listenerProcessId, connection.ProcessID);
            ClusterLog.Listening(_logger, connection.ProcessID);
            listening();
            _subscribers.MissedAll();
            while (true)
                await connection.WaitAsync(stoppingToken);
        }
        finally
        {
            Volatile.Write(ref _listenerProcessId, 0);
            connection.Notification -= OnNotification;
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (BusMessages.TryDecode(e.Payload, out var channel, out var message))
            _subscribers.Deliver(channel, message);
    }

    private static async Task NotifyAsync(DbConnection connection, DbTransaction? transaction, string channel, string message, CancellationToken cancellationToken)
    {
        await using var notify = connection.Command("SELECT pg_notify(@channel, @payload)", transaction)
            .With("channel", PostgresChannel).With("payload", BusMessages.Encode(channel, message));
        await notify.ExecuteNonQueryAsync(cancellationToken);
    }

    private string Describe(Exception ex) => ex is StoreException ? ex.Message : _database.Redact(ex.Message);

    /// <summary>0.5 s doubling to 30 s, each with up to a fifth taken off at random so hubs do not retry in step.</summary>
    internal static TimeSpan Backoff(int failures)
    {
        var seconds = Math.Min(LastRetry.TotalSeconds, FirstRetry.TotalSeconds * Math.Pow(2, Math.Min(failures - 1, 16)));
        return TimeSpan.FromSeconds(seconds * (1 - (Random.Shared.NextDouble() / 5)));
    }
}
