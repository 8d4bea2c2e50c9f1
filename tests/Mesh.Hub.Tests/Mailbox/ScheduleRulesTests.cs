using Mesh.Hub.Mailbox.Schedules;

namespace Mesh.Hub.Tests.Mailbox;

/// <summary>Which fire times a schedule plans, driven by given times (no clock): on time, and after the hub was down.</summary>
public sealed class ScheduleRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    private static ScheduleDefinition Every(int seconds, string catchUp) =>
        new("s", "a", null, seconds * 1000L, ScheduleModes.Single, catchUp, "p", "schedule", 30_000, T0.AddSeconds(seconds), T0);

    [Fact]
    public void Plan_on_time_fires_each_due_time_once_and_moves_next_past_now()
    {
        var (fires, next) = ScheduleRules.Plan(Every(2, ScheduleModes.Once), T0.AddSeconds(2), T0.AddSeconds(4.5), startedAt: T0);
        Assert.Equal([(T0.AddSeconds(2), false), (T0.AddSeconds(4), false)], fires);
        Assert.Equal(T0.AddSeconds(6), next);
    }

    [Theory]
    [InlineData(ScheduleModes.Once, 1)]
    [InlineData(ScheduleModes.Skip, 0)]
    public void Plan_after_downtime_catch_up_once_is_one_fire_at_the_latest_missed_time_and_skip_is_none(string catchUp, int catchUps)
    {
        // Last planned before the outage: 10:00:02; the hub starts again at 10:00:09.5 and plans at 10:00:10.
        var started = T0.AddSeconds(9.5);
        var (fires, next) = ScheduleRules.Plan(Every(2, catchUp), T0.AddSeconds(4), T0.AddSeconds(10), started);
        Assert.Equal(catchUps, fires.Count(f => f.CatchUp));
        if (catchUps == 1)
            Assert.Equal(T0.AddSeconds(8), fires.Single(f => f.CatchUp).FireTime);
        Assert.Equal([T0.AddSeconds(10)], fires.Where(f => !f.CatchUp).Select(f => f.FireTime));
        Assert.Equal(T0.AddSeconds(12), next);
    }

    [Fact]
    public void Plan_after_a_year_away_with_every_1s_does_not_walk_every_fire_time()
    {
        var started = T0.AddDays(365);
        var (fires, next) = ScheduleRules.Plan(Every(1, ScheduleModes.Once), T0.AddSeconds(1), started, started);
        Assert.Equal([(started.AddSeconds(-1), true), (started, false)], fires);
        Assert.Equal(started.AddSeconds(1), next);
    }

    [Fact]
    public void Plan_cron_uses_the_trigger_cron_parser_in_utc()
    {
        var schedule = new ScheduleDefinition("c", "a", "*/15 * * * *", null, ScheduleModes.Cluster, ScheduleModes.Skip, "p", "schedule", 30_000, T0, T0.AddMinutes(-1));
        var (fires, next) = ScheduleRules.Plan(schedule, T0, T0.AddMinutes(31), T0.AddMinutes(-1));
        Assert.Equal([T0, T0.AddMinutes(15), T0.AddMinutes(30)], fires.Select(f => f.FireTime));
        Assert.Equal(T0.AddMinutes(45), next);
    }
}
