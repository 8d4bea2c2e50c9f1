using Mesh.Hub.Mailbox.Triggers;

namespace Mesh.Hub.Mailbox.Schedules;

/// <summary>
/// When a schedule fires, and which fire times to plan after a pause of the hub. Pure functions of the schedule
/// and the times given, so they are tested with any clock.
/// </summary>
public static class ScheduleRules
{
    /// <summary>Most fire times looked at in one planning step (a long outage of an every-1 s schedule skips ahead arithmetically).</summary>
    private const int MaxSteps = 10_000;

    /// <summary>The first fire time strictly after <paramref name="after"/>, or null for a cron that never matches again.</summary>
    public static DateTimeOffset? Next(string? cron, long? everyMs, DateTimeOffset anchor, DateTimeOffset after)
    {
        if (cron is not null)
            return CronExpression.Parse(cron).Next(after);
        var every = everyMs ?? throw new ArgumentException("a schedule has cron or every", nameof(everyMs));
        var steps = ((after - anchor).Ticks / TimeSpan.TicksPerMillisecond / every) + 1;
        return anchor.AddMilliseconds(Math.Max(1, steps) * every);
    }

    /// <summary>
    /// The fires to plan now for a schedule whose first unplanned fire time is <paramref name="nextFire"/>: every fire
    /// time up to <paramref name="now"/>. Those before <paramref name="startedAt"/> (the hub's start) passed while the hub
    /// was not running: with catch_up "once" they make one fire (at the latest of them, marked catch-up), with "skip"
    /// none. Returns the fires and the new first unplanned fire time.
    /// </summary>
    public static (IReadOnlyList<(DateTimeOffset FireTime, bool CatchUp)> Fires, DateTimeOffset? NextFire) Plan(
        ScheduleDefinition schedule, DateTimeOffset nextFire, DateTimeOffset now, DateTimeOffset startedAt)
    {
        var fires = new List<(DateTimeOffset, bool)>();
        DateTimeOffset? missed = null;
        DateTimeOffset? t = nextFire;
        var anchor = schedule.CreatedAt;
        var gapEnd = startedAt < now ? startedAt : now;
        if (schedule.EveryMs is { } every && nextFire < gapEnd)
        {
            // Straight to the last fire time before the start: only the latest missed one can matter.
            var steps = ((gapEnd - anchor).Ticks - 1) / TimeSpan.TicksPerMillisecond / every;
            missed = anchor.AddMilliseconds(steps * every);
            t = missed.Value.AddMilliseconds(every);
        }

        for (var i = 0; t is { } due && due <= now && i < MaxSteps; i++)
        {
            if (due < startedAt)
                missed = due;
            else
                fires.Add((due, false));
            t = Next(schedule.Cron, schedule.EveryMs, anchor, due);
        }

        if (t is { } stuck && stuck < startedAt && stuck <= now)
            t = Next(schedule.Cron, schedule.EveryMs, anchor, startedAt.AddTicks(-1)); // a minutely cron after a week away
        if (missed is { } latest && schedule.CatchUp == ScheduleModes.Once)
            fires.Insert(0, (latest, true));
        return (fires, t);
    }
}
