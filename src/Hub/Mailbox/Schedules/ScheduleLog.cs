namespace Mesh.Hub.Mailbox.Schedules;

internal static partial class ScheduleLog
{
    [LoggerMessage(EventId = 7301, EventName = "ScheduleFired", Level = LogLevel.Information, Message = "Schedule {ScheduleId} fired for {FireTime:o} (catch-up: {CatchUp}, {Mode})")]
    public static partial void Fired(ILogger logger, string scheduleId, DateTimeOffset fireTime, bool catchUp, string mode);

    [LoggerMessage(EventId = 7302, EventName = "ScheduleFireClaimed", Level = LogLevel.Information, Message = "Schedule {ScheduleId} fire {FireTime:o} delivered to {Replica} (attempt {Attempt})")]
    public static partial void Claimed(ILogger logger, string scheduleId, DateTimeOffset fireTime, string replica, int attempt);

    [LoggerMessage(EventId = 7303, EventName = "ScheduleClockResumed", Level = LogLevel.Information, Message = "Schedules resume: the hub last ran at {LastAlive:o}, now {Now:o}; fire times between follow each schedule's catch_up")]
    public static partial void Resumed(ILogger logger, DateTimeOffset lastAlive, DateTimeOffset now);

    [LoggerMessage(EventId = 7304, EventName = "SchedulePassFailed", Level = LogLevel.Warning, Message = "A schedule pass failed; the next one runs shortly")]
    public static partial void PassFailed(ILogger logger, Exception exception);
}
