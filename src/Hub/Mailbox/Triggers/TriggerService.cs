using Mesh.Core.Auth;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Triggers;

/// <summary>Time triggers for one authenticated caller: set (a delay or a cron schedule), list, cancel; the scheduler re-plans after each change.</summary>
public sealed class TriggerService(ITriggerStore store, ActorService actors, TriggerScheduler scheduler, MailboxOptions options, TimeProvider time)
{
    public const string TriggerChannel = "trigger";

    public async Task<TimeTrigger> TimeTriggerSetAsync(CallerIdentity caller, TimeTriggerSetRequest request, CancellationToken cancellationToken)
    {
        var owner = actors.Resolve(caller, request.ActorId);
        if (string.IsNullOrEmpty(request.Message))
            throw new MailboxException(MailboxError.InvalidArgument, "a time trigger needs --message TEXT.");
        MailboxInput.CheckPayload(request.Message, PayloadKind.Text, options);
        var now = time.GetUtcNow();
        DateTimeOffset due;
        string? cron = null;
        switch (request.ScheduleCase)
        {
            case TimeTriggerSetRequest.ScheduleOneofCase.DelaySeconds:
                var max = (long)options.MaxTriggerDelay.TotalSeconds;
                if (request.DelaySeconds < 1 || request.DelaySeconds > max)
                    throw new MailboxException(MailboxError.InvalidArgument, $"--delay-seconds {request.DelaySeconds} is out of range: use 1 to {max} (30 days).");
                due = now.AddSeconds(request.DelaySeconds);
                break;
            case TimeTriggerSetRequest.ScheduleOneofCase.Cron:
                if (!CronExpression.TryParse(request.Cron, out var expression, out var error))
                    throw new MailboxException(MailboxError.InvalidArgument, error);
                due = expression.Next(now)
                    ?? throw new MailboxException(MailboxError.InvalidArgument, $"cron expression '{request.Cron}' never matches (e.g. 30 February).");
                cron = expression.Text;
                break;
            default:
                throw new MailboxException(MailboxError.InvalidArgument, "a time trigger needs --delay-seconds S or --cron EXPR.");
        }

        var trigger = await store.AddTriggerAsync(
            new NewTrigger(owner.Id, caller.IsRoot ? ActingActor.RootId : owner.Id, cron, due, request.Message,
                MailboxInput.CheckName(request.Channel, "channel") ?? TriggerChannel, MailboxInput.CheckName(request.RunId, "run_id")),
            cancellationToken);
        scheduler.Wake();
        return trigger;
    }

    public async Task<TimeTriggerListResponse> TimeTriggerListAsync(CallerIdentity caller, TimeTriggerListRequest request, CancellationToken cancellationToken)
    {
        var owner = actors.Resolve(caller, request.ActorId, rootMayActAsItself: true);
        var response = new TimeTriggerListResponse();
        response.Triggers.Add(await store.ListTriggersAsync(owner.IsRoot ? null : owner.Id, request.IncludeInactive, cancellationToken));
        return response;
    }

    public async Task<TimeTrigger> TimeTriggerCancelAsync(CallerIdentity caller, TimeTriggerCancelRequest request, CancellationToken cancellationToken)
    {
        var owner = actors.Resolve(caller, request.ActorId, rootMayActAsItself: true);
        var trigger = await store.GetTriggerAsync(request.TriggerId, cancellationToken)
            ?? throw new MailboxException(MailboxError.NotFound, $"time trigger {request.TriggerId} does not exist. List them with 'actor time-trigger-list'.");
        if (!owner.IsRoot && trigger.ActorId != owner.Id)
            throw new MailboxException(MailboxError.PermissionDenied, $"time trigger {request.TriggerId} belongs to actor '{trigger.ActorId}'.");
        var cancelled = await store.CancelTriggerAsync(request.TriggerId, cancellationToken);
        scheduler.Wake();
        return cancelled;
    }
}
