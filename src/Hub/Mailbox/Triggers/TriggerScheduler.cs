using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Triggers;

/// <summary>
/// Delivers due time triggers. Each delivery and the move to the next due time are one transaction in the store,
/// keyed by the due time, so a trigger fires exactly once per due time even if the hub stops at any point; a trigger
/// that fell due while the hub was down fires once at start-up. A cron trigger that missed several occurrences while
/// the hub was down fires once for them, then continues from the current time.
/// </summary>
public sealed class TriggerScheduler : BackgroundService
{
    private const int BatchSize = 100;
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);
    private readonly ITriggerStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<TriggerScheduler> _logger;
    private volatile TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TriggerScheduler(ITriggerStore store, TimeProvider time, ILogger<TriggerScheduler> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
    }

    /// <summary>A trigger was stored or cancelled: re-plan the next wake-up.</summary>
    public void Wake() => _wake.TrySetResult();

    /// <summary>Fires every trigger due now; returns how many fired.</summary>
    public async Task<int> FireDueAsync(CancellationToken cancellationToken)
    {
        var fired = 0;
        while (true)
        {
            var now = _time.GetUtcNow();
            var due = await _store.DueTriggersAsync(now, BatchSize, cancellationToken);
            foreach (var trigger in due)
            {
                if (await _store.FireTriggerAsync(trigger.Id, trigger.NextDueUnixMs, NextDue(trigger, now), cancellationToken))
                {
                    fired++;
                    MailboxLog.TriggerFired(_logger, trigger.Id, trigger.ActorId);
                }
            }

            if (due.Count < BatchSize)
                return fired;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var wake = _wake.Task;
                await FireDueAsync(stoppingToken);
                var next = await _store.NextDueAsync(stoppingToken);
                var sleep = next is null ? MaxSleep : next.Value - _time.GetUtcNow();
                if (sleep > MaxSleep)
                    sleep = MaxSleep;
                if (sleep > TimeSpan.Zero)
                    await Task.WhenAny(wake, Task.Delay(sleep, _time, stoppingToken));
                if (wake.IsCompleted)
                    _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var delay = TimeSpan.FromSeconds(5);
                MailboxLog.TriggerLoopFailed(_logger, delay, ex);
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

    private static long? NextDue(TimeTrigger trigger, DateTimeOffset now)
    {
        if (trigger.Cron.Length == 0)
            return null;
        var due = DateTimeOffset.FromUnixTimeMilliseconds(trigger.NextDueUnixMs);
        return CronExpression.Parse(trigger.Cron).Next(due > now ? due : now)?.ToUnixTimeMilliseconds();
    }
}
