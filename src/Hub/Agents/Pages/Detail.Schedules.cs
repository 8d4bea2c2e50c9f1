using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Schedules;
using Mesh.Hub.Web;

namespace Mesh.Hub.Agents.Pages;

/// <summary>The agent page's schedule form: create and delete (root; post/redirect/get; a refusal is shown in the page with the values kept).</summary>
public sealed partial class AgentModel
{
    /// <summary>What the create form holds: empty, or what was sent when it was refused.</summary>
    public ScheduleForm NewSchedule { get; private set; } = new();

    /// <summary>The agent's schedules, for the delete form.</summary>
    public IReadOnlyList<ScheduleDefinition> Schedules { get; private set; } = [];

    public async Task<IResult> OnPostScheduleCreateAsync()
    {
        var (id, form) = (Id, BindScheduleForm());
        if (!User.IsInRole(AdminRoles.Root))
            return Forbid();
        try
        {
            await schedules.CreateAsync(id, form.ToRequest(), HttpContext.RequestAborted);
        }
        catch (MailboxException ex)
        {
            NewSchedule = form;
            return await RefusedAsync(id, ex.Error switch
            {
                MailboxError.NotFound => StatusCodes.Status404NotFound,
                MailboxError.AlreadyExists => StatusCodes.Status409Conflict,
                _ => StatusCodes.Status400BadRequest,
            }, ex.Message);
        }

        return Redirect($"/agents/{Uri.EscapeDataString(id)}?done=schedule-created");
    }

    public async Task<IResult> OnPostScheduleDeleteAsync()
    {
        var (id, schedule) = (Id, Value("schedule"));
        if (!User.IsInRole(AdminRoles.Root))
            return Forbid();
        try
        {
            await schedules.DeleteAsync(id, string.IsNullOrEmpty(schedule) ? throw new MailboxException(MailboxError.InvalidArgument, "choose the schedule to delete.") : schedule, HttpContext.RequestAborted);
        }
        catch (MailboxException ex)
        {
            return await RefusedAsync(id, ex.Error == MailboxError.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest, ex.Message);
        }

        return Redirect($"/agents/{Uri.EscapeDataString(id)}?done=schedule-deleted");
    }

    /// <summary>The form's fields by their property names, as Razor Pages bound the form: a field sent empty is null, one not sent keeps its default.</summary>
    private ScheduleForm BindScheduleForm()
    {
        var form = new ScheduleForm();
        string? Field(string name, string? unsent) => Posted.ContainsKey(name) ? Value(name) : unsent;
        form.ScheduleId = Field(nameof(ScheduleForm.ScheduleId), null);
        form.Kind = Field(nameof(ScheduleForm.Kind), form.Kind)!;
        form.When = Field(nameof(ScheduleForm.When), null);
        form.Mode = Field(nameof(ScheduleForm.Mode), form.Mode)!;
        form.CatchUp = Field(nameof(ScheduleForm.CatchUp), form.CatchUp)!;
        form.LeaseSeconds = int.TryParse(Value(nameof(ScheduleForm.LeaseSeconds)), System.Globalization.CultureInfo.InvariantCulture, out var lease) ? lease : null;
        form.Payload = Field(nameof(ScheduleForm.Payload), null);
        return form;
    }
}

/// <summary>The create form's fields, bound by name; <c>when</c> is a cron expression or an every duration, as <c>kind</c> says.</summary>
public sealed class ScheduleForm
{
    public string? ScheduleId { get; set; }

    public string Kind { get; set; } = "every";

    public string? When { get; set; }

    public string Mode { get; set; } = ScheduleModes.Single;

    public string CatchUp { get; set; } = ScheduleModes.Once;

    public int? LeaseSeconds { get; set; }

    public string? Payload { get; set; }

    public ScheduleRequest ToRequest() => new(
        string.IsNullOrWhiteSpace(ScheduleId) ? null : ScheduleId.Trim(),
        Kind == "cron" ? When?.Trim() ?? "" : null,
        Kind == "cron" ? null : When?.Trim() ?? "",
        Mode,
        CatchUp,
        Payload,
        null,
        LeaseSeconds);
}
