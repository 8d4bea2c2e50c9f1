using Mesh.Core.Configuration;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Triggers;

namespace Mesh.Hub.Mailbox.Schedules;

/// <summary>What an operator asks for: cron or every, mode, catch_up, the payload, the lease of a single fire.</summary>
public sealed record ScheduleRequest(string? Id = null, string? Cron = null, string? Every = null, string? Mode = null, string? CatchUp = null,
    string? Payload = null, string? Channel = null, int? LeaseSeconds = null);

/// <summary>Creates, lists and deletes an agent's schedules; each refusal names its field (REST 400/404/409).</summary>
public sealed class ScheduleService(ScheduleStore store, IScheduleTargets targets, ScheduleRunner runner, MailboxOptions options, TimeProvider time)
{
    public async Task<ScheduleDefinition> CreateAsync(string agentId, ScheduleRequest request, CancellationToken cancellationToken)
    {
        if (!targets.AgentExists(agentId))
            throw new MailboxException(MailboxError.NotFound, $"agent '{DisplayText.Truncate(agentId)}' does not exist (deleted, or a replica's name): a schedule belongs to an agent.");
        var id = string.IsNullOrEmpty(request.Id) ? $"{agentId}-{Guid.NewGuid().ToString("N")[..8]}" : request.Id;
        if (!NodeIds.IsValid(id, out var idError))
            throw Invalid("id", "id: " + idError);
        if ((request.Cron is null) == (request.Every is null))
            throw Invalid("cron", "give exactly one of cron (5 fields, UTC, e.g. \"*/5 * * * *\") and every (e.g. \"30s\", at least 1 s).");
        long? everyMs = null;
        if (request.Cron is { } cron)
        {
            if (!CronExpression.TryParse(cron, out var expression, out var cronError))
                throw Invalid("cron", cronError);
            if (expression.Next(time.GetUtcNow()) is null)
                throw Invalid("cron", $"cron expression '{cron}' never matches (e.g. 30 February).");
        }
        else
        {
            if (!DurationText.TryParse(request.Every!, out var every))
                throw Invalid("every", $"every '{DisplayText.Truncate(request.Every!)}' is not a duration such as \"2s\", \"5m\" or \"1h\".");
            if (every < TimeSpan.FromSeconds(1))
                throw Invalid("every", $"every {request.Every} is below the minimum of 1 s.");
            if (every > TimeSpan.FromDays(366))
                throw Invalid("every", $"every {request.Every} is above the maximum of 366 days.");
            everyMs = (long)every.TotalMilliseconds;
        }

        var mode = request.Mode ?? ScheduleModes.Single;
        if (mode is not (ScheduleModes.Single or ScheduleModes.Cluster))
            throw Invalid("mode", $"mode '{DisplayText.Truncate(mode)}' is not single (one replica per fire) or cluster (every replica).");
        var catchUp = request.CatchUp ?? ScheduleModes.Once;
        if (catchUp is not (ScheduleModes.Once or ScheduleModes.Skip))
            throw Invalid("catch_up", $"catch_up '{DisplayText.Truncate(catchUp)}' is not once (one fire for all fire times missed while the hub was down) or skip (none).");
        if (string.IsNullOrEmpty(request.Payload))
            throw Invalid("payload", "a schedule needs a payload: the text of the message each fire delivers.");
        if (System.Text.Encoding.UTF8.GetByteCount(request.Payload) > options.MaxPayloadBytes)
            throw Invalid("payload", $"the payload is larger than the mailbox's limit of {options.MaxPayloadBytes} bytes.");
        var lease = request.LeaseSeconds ?? 30;
        if (lease is < 1 or > 3600)
            throw Invalid("lease_seconds", $"lease_seconds {lease} is out of range: 1 to 3600.");
        if (await store.IdUsedAsync(id, cancellationToken))
            throw new MailboxException(MailboxError.AlreadyExists, $"a schedule '{id}' exists (or existed); ids are not reused.");

        var now = time.GetUtcNow();
        var first = ScheduleRules.Next(request.Cron, everyMs, now, now)!.Value;
        var schedule = new ScheduleDefinition(id, agentId, request.Cron, everyMs, mode, catchUp, request.Payload, request.Channel ?? "schedule",
            lease * 1000L, first, now);
        await store.CreateAsync(schedule, cancellationToken);
        runner.Wake();
        return schedule;
    }

    public Task<IReadOnlyList<ScheduleDefinition>> ListAsync(string agentId, CancellationToken cancellationToken) => store.ListAsync(agentId, cancellationToken);

    /// <summary>Per run of the agent (itself or a replica), when a schedule fire was last delivered to it.</summary>
    public Task<IReadOnlyDictionary<string, DateTimeOffset>> LastFireByRunAsync(string agentId, CancellationToken cancellationToken) =>
        store.LastFireByRunAsync(agentId, cancellationToken);

    public Task<IReadOnlyList<FireRecord>> FiresAsync(string scheduleId, int limit, CancellationToken cancellationToken) =>
        store.RecentFiresAsync(scheduleId, Math.Clamp(limit, 1, 1000), cancellationToken);

    public async Task DeleteAsync(string agentId, string id, CancellationToken cancellationToken)
    {
        if (await store.DeleteAsync(agentId, id, cancellationToken) == 0)
            throw new MailboxException(MailboxError.NotFound, $"agent '{DisplayText.Truncate(agentId)}' has no schedule '{DisplayText.Truncate(id)}'.");
    }

    /// <summary>The agent was deleted: its schedules end with it.</summary>
    public Task DeleteAllAsync(string agentId, CancellationToken cancellationToken) => store.DeleteAsync(agentId, null, cancellationToken);

    private static MailboxException Invalid(string field, string message) => new(MailboxError.InvalidArgument, $"{field}: {message}");
}
