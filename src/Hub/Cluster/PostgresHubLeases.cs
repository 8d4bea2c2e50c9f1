using System.Collections.Concurrent;
using Mesh.Hub.Storage;
using Microsoft.Extensions.Options;

namespace Mesh.Hub.Cluster;

/// <summary>
/// The lease of a hub on PostgreSQL: written before the hub serves, renewed every <see cref="ClusterOptions.RenewInterval"/>
/// with the other hubs' leases read back, dropped when the hub stops (and announced on <see cref="Channel"/>, so
/// waiters on this hub learn at once instead of at expiry). Times come from each hub's clock: hubs whose clocks
/// differ by a good part of the lease duration would misjudge each other.
/// </summary>
public sealed class PostgresHubLeases : BackgroundService, IHubLeases
{
    /// <summary>Carries the id of a hub that stopped.</summary>
    public const string Channel = "hubs";

    private readonly IHubDatabase _database;
    private readonly IHubBus _bus;
    private readonly TimeProvider _time;
    private readonly ClusterOptions _options;
    private readonly ILogger<PostgresHubLeases> _logger;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _expires = new(StringComparer.Ordinal);

    public PostgresHubLeases(LocalHub local, IHubDatabase database, IHubBus bus, TimeProvider time, IOptions<ClusterOptions> options, ILogger<PostgresHubLeases> logger)
    {
        Local = local;
        _database = database;
        _bus = bus;
        _time = time;
        _options = options.Value;
        _logger = logger;
        if (_options.Problem() is { } problem)
            throw new OptionsValidationException(nameof(ClusterOptions), typeof(ClusterOptions), [problem]);
    }

    public LocalHub Local { get; }

    public bool IsAlive(string hubId) =>
        string.Equals(hubId, Local.Id, StringComparison.Ordinal) || (_expires.TryGetValue(hubId, out var expires) && expires > _time.GetUtcNow());

    public async Task<bool> IsAliveNowAsync(string hubId, CancellationToken cancellationToken)
    {
        if (string.Equals(hubId, Local.Id, StringComparison.Ordinal))
            return true;
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var read = connection.Command("SELECT expires_at FROM hubs WHERE id = @id").With("id", hubId);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        var alive = await reader.ReadAsync(cancellationToken) && reader.GetTime(0) > _time.GetUtcNow();
        if (!alive)
            _expires.TryRemove(hubId, out _);
        return alive;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RenewAsync(starting: true, cancellationToken);
        ClusterLog.LeaseTaken(_logger, Local.Id, _options.LeaseDuration.TotalSeconds);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await using (var connection = await _database.OpenConnectionAsync(cancellationToken))
            await using (var drop = connection.Command("DELETE FROM hubs WHERE id = @id").With("id", Local.Id))
                await drop.ExecuteNonQueryAsync(cancellationToken);
            await _bus.PublishAsync(Channel, Local.Id, cancellationToken);
        }
        catch (Exception ex) when (ex is StoreException or System.Data.Common.DbException or OperationCanceledException or TimeoutException)
        {
            ClusterLog.LeaseNotDropped(_logger, Local.Id, ex.Message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.RenewInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RenewAsync(starting: false, stoppingToken);
                }
                catch (Exception ex) when (ex is StoreException or System.Data.Common.DbException or TimeoutException)
                {
                    ClusterLog.LeaseNotRenewed(_logger, Local.Id, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RenewAsync(bool starting, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        // A start is a new lease (started_at moves); a renewal that finds no row (dropped by hand, or after a long
        // outage) takes it again.
        await using (var renew = connection.Command(starting
                ? "INSERT INTO hubs (id, host, started_at, expires_at) VALUES (@id, @host, @now, @expires) ON CONFLICT (id) DO UPDATE SET host = @host, started_at = @now, expires_at = @expires"
                : "INSERT INTO hubs (id, host, started_at, expires_at) VALUES (@id, @host, @now, @expires) ON CONFLICT (id) DO UPDATE SET expires_at = @expires")
            .With("id", Local.Id).With("host", Environment.MachineName).With("now", now).With("expires", now + _options.LeaseDuration))
            await renew.ExecuteNonQueryAsync(cancellationToken);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        await using var read = connection.Command("SELECT id, expires_at FROM hubs");
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            seen.Add(reader.GetString(0));
            _expires[reader.GetString(0)] = reader.GetTime(1);
        }

        foreach (var gone in _expires.Keys.Where(id => !seen.Contains(id)))
            _expires.TryRemove(gone, out _);
    }
}
