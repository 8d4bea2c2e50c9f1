using Mesh.Core.Auth;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Triggers;

namespace Mesh.Hub.Mailbox;

public sealed partial class MailboxService
{
    public const string TriggerChannel = "trigger";

    /// <summary>Raised after a trigger was stored, so the scheduler can re-plan its next wake-up.</summary>
    public event Action? TriggersChanged;

    public async Task<TimeTrigger> TimeTriggerSetAsync(CallerIdentity caller, TimeTriggerSetRequest request, CancellationToken cancellationToken)
    {
        var owner = Resolve(caller, request.ActorId);
        if (string.IsNullOrEmpty(request.Message))
            throw new MailboxException(MailboxError.InvalidArgument, "a time trigger needs --message TEXT.");
        CheckPayload(request.Message, PayloadKind.Text);
        var now = _time.GetUtcNow();
        DateTimeOffset due;
        string? cron = null;
        switch (request.ScheduleCase)
        {
            case TimeTriggerSetRequest.ScheduleOneofCase.DelaySeconds:
                var max = (long)_options.MaxTriggerDelay.TotalSeconds;
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

        var trigger = await _store.AddTriggerAsync(
            new NewTrigger(owner.Id, caller.IsRoot ? ActingActor.RootId : owner.Id, cron, due, request.Message,
                CheckName(request.Channel, "channel") ?? TriggerChannel, CheckName(request.RunId, "run_id")),
            cancellationToken);
        TriggersChanged?.Invoke();
        return trigger;
    }

    public async Task<TimeTriggerListResponse> TimeTriggerListAsync(CallerIdentity caller, TimeTriggerListRequest request, CancellationToken cancellationToken)
    {
        var owner = Resolve(caller, request.ActorId, rootMayActAsItself: true);
        var response = new TimeTriggerListResponse();
        response.Triggers.Add(await _store.ListTriggersAsync(owner.IsRoot ? null : owner.Id, request.IncludeInactive, cancellationToken));
        return response;
    }

    public async Task<TimeTrigger> TimeTriggerCancelAsync(CallerIdentity caller, TimeTriggerCancelRequest request, CancellationToken cancellationToken)
    {
        var owner = Resolve(caller, request.ActorId, rootMayActAsItself: true);
        var trigger = await _store.GetTriggerAsync(request.TriggerId, cancellationToken)
            ?? throw new MailboxException(MailboxError.NotFound, $"time trigger {request.TriggerId} does not exist. List them with 'actor time-trigger-list'.");
        if (!owner.IsRoot && trigger.ActorId != owner.Id)
            throw new MailboxException(MailboxError.PermissionDenied, $"time trigger {request.TriggerId} belongs to actor '{trigger.ActorId}'.");
        var cancelled = await _store.CancelTriggerAsync(request.TriggerId, cancellationToken);
        TriggersChanged?.Invoke();
        return cancelled;
    }
}
