using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Schedules;

/// <summary>
/// Fires schedules: plans due fire times (with catch-up after the hub was down), delivers cluster fires to every live
/// replica, claims single fires for one live replica (another one after an unacked lease ran out, never the same one
/// twice), and records acks. A pass every 250 ms; <see cref="RunOnceAsync"/> is one pass at a given time.
/// </summary>
public sealed class ScheduleRunner(ScheduleStore store, IScheduleTargets targets, MailboxDatabase database, TimeProvider time, ILogger<ScheduleRunner> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan AliveEvery = TimeSpan.FromSeconds(1);
    private volatile TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset _lastAlive = DateTimeOffset.MinValue;

    /// <summary>When this hub process started firing: fire times before it passed while the hub was not running.</summary>
    public DateTimeOffset StartedAt { get; private set; } = DateTimeOffset.MaxValue;

    public void Wake() => _wake.TrySetResult();

    /// <summary>Starts the clock: remembers when the hub last ran (for the log) and that it runs from now.</summary>
    public async Task StartClockAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var previous = await store.MarkAliveAsync(now, cancellationToken);
        _lastAlive = now;
        StartedAt = now;
        if (previous is { } was)
            ScheduleLog.Resumed(logger, was, now);
    }

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - _lastAlive >= AliveEvery)
        {
            await store.MarkAliveAsync(now, cancellationToken);
            _lastAlive = now;
        }

        foreach (var schedule in await store.DueAsync(now, cancellationToken))
        {
            var (fires, next) = ScheduleRules.Plan(schedule, schedule.NextFire, now, StartedAt);
            var recipients = schedule.Mode == ScheduleModes.Cluster ? targets.LiveRecipients(schedule.AgentId) : [];
            if (await store.PlanAsync(schedule, schedule.NextFire, fires, next, recipients, cancellationToken))
            {
                foreach (var (fireTime, catchUp) in fires)
                    ScheduleLog.Fired(logger, schedule.Id, fireTime, catchUp, schedule.Mode);
            }
        }

        await store.RecordAcksAsync(cancellationToken);
        var schedules = (await store.ListAsync(null, cancellationToken)).ToDictionary(s => s.Id, StringComparer.Ordinal);
        foreach (var fire in (await store.ClaimableAsync(now, cancellationToken)).OrderBy(f => f.FireTime))
        {
            if (!schedules.TryGetValue(fire.ScheduleId, out var schedule))
                continue;
            var candidates = targets.LiveRecipients(schedule.AgentId).Where(r => !fire.DeliveredTo.Contains(r, StringComparer.Ordinal)).ToList();
            if (candidates.Count == 0)
                continue;
            // Spread fires over the replicas: the fire time picks the first to try.
            var start = (int)(fire.FireTime.ToUnixTimeMilliseconds() / 1000 % candidates.Count);
            var replica = candidates[start];
            if (await store.ClaimAsync(schedule, fire.FireTime, replica, now, cancellationToken))
                ScheduleLog.Claimed(logger, schedule.Id, fire.FireTime, replica, fire.Attempts + 1);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!database.IsOpen)
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, stoppingToken);
        await StartClockAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = _wake.Task;
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A pass cut short by shutdown (its store closing under it) is not a failure worth a warning.
                if (!stoppingToken.IsCancellationRequested)
                    ScheduleLog.PassFailed(logger, ex);
            }

            try
            {
                await Task.WhenAny(wake, Task.Delay(Tick, time, stoppingToken));
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (wake.IsCompleted)
                _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
