using Mesh.Hub.Audit;
using Mesh.Hub.Web;
using RazorSlices;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Messages.Pages;

/// <summary>/mailboxes: actors with their pending counts, teams; root creates and deletes actors.</summary>
public sealed class MailboxesModel(ActorService actors, MessageService messages, IAuditLog audit, IPlacementNodes nodes) : UiPageModel
{
    public IReadOnlyList<ActorRecord> Actors { get; private set; } = [];

    public IReadOnlyDictionary<string, long> Pending { get; private set; } = new Dictionary<string, long>();

    public IReadOnlyList<IGrouping<string, ActorRecord>> Teams { get; private set; } = [];

    public CreateActorForm Form { get; private set; } = new();

    public string? Message { get; private set; }

    public bool MessageIsError { get; private set; }

    protected override RazorSlice Slice() => Index.Create(this);

    public async Task<IResult> OnGetAsync()
    {
        var (created, deleted) = (Query("created"), Query("deleted"));
        Message = created is not null ? $"Created actor '{created}'." : deleted is not null ? $"Deleted actor '{deleted}'." : null;
        await LoadAsync();
        return Page();
    }

    /// <summary>Whether the actor's node is still there (the hub placement always is).</summary>
    public PlacementNodeState PlacementState(ActorRecord actor) =>
        actor.Placement.NodeId is { } node ? nodes.StateOf(node) : PlacementNodeState.Known;

    public async Task<IResult> OnPostCreateAsync()
    {
        if (!User.IsInRole(AdminRoles.Root))
            return Forbid();
        Form = CreateActorForm.FromRequest(Request.Form);
        try
        {
            PlacementCheck.Ensure(Form.Value("placement"), nodes);
            var actor = await actors.CreateActorAsync(Form.Value("id") ?? string.Empty, Form.Value("name"), Form.Value("team_id"), Form.Value("role"), Form.Value("placement"), HttpContext.RequestAborted);
            await audit.RecordAsync(User.Identity?.Name ?? "root", MailboxUiAudit.ActorCreated, actor.Id, HttpContext.Connection.RemoteIpAddress?.ToString(),
                $"team {actor.TeamId ?? "-"}, role {actor.TeamRole}, placement {actor.Placement}", HttpContext.RequestAborted);
            return Redirect("/mailboxes?created=" + Uri.EscapeDataString(actor.Id));
        }
        catch (MailboxException ex)
        {
            Form.Errors[CreateActorForm.FieldOf(ex)] = ex.Message;
            Response.StatusCode = MailboxErrors.HttpStatus(ex.Error);
            await LoadAsync();
            return Page();
        }
    }

    public async Task<IResult> OnPostDeleteAsync()
    {
        var (id, confirm) = (Value("id") ?? "", Value("confirm"));
        if (!User.IsInRole(AdminRoles.Root))
            return Forbid();
        if (confirm != "yes")
            return await ErrorAsync(StatusCodes.Status400BadRequest, $"Tick the confirmation box to delete actor '{id}'.");
        try
        {
            await actors.DeleteActorAsync(id, HttpContext.RequestAborted);
        }
        catch (MailboxException ex)
        {
            return await ErrorAsync(MailboxErrors.HttpStatus(ex.Error), ex.Message);
        }

        await audit.RecordAsync(User.Identity?.Name ?? "root", MailboxUiAudit.ActorDeleted, id, HttpContext.Connection.RemoteIpAddress?.ToString(), null, HttpContext.RequestAborted);
        return Redirect("/mailboxes?deleted=" + Uri.EscapeDataString(id));
    }

    private async Task<IResult> ErrorAsync(int status, string message)
    {
        Response.StatusCode = status;
        Message = message;
        MessageIsError = true;
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        Actors = actors.List();
        Pending = await messages.CountPendingByActorAsync(HttpContext.RequestAborted);
        Teams = Actors.Where(a => a.TeamId is not null).GroupBy(a => a.TeamId!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
    }
}

/// <summary>The create-actor form: values as typed and the service's refusal, placed on the field it is about.</summary>
public sealed class CreateActorForm
{
    public static readonly IReadOnlyList<(string Name, string Label, string Placeholder, bool Required)> Fields =
    [
        ("id", "Actor id", "builder-7", true),
        ("name", "Display name", "Builder 7", false),
        ("team_id", "Team id", "web", false),
        ("placement", "Placement", "hub", false),
    ];

    public Dictionary<string, string> Values { get; init; } = [];

    public Dictionary<string, string> Errors { get; } = [];

    public string? Value(string name) => Values.GetValueOrDefault(name) is { Length: > 0 } v ? v.Trim() : null;

    public static CreateActorForm FromRequest(IFormCollection form) =>
        new() { Values = Fields.Select(f => f.Name).Append("role").ToDictionary(n => n, n => form[n].ToString()) };

    /// <summary>Which field a refusal is about, read from the service's message (the rules stay in the service).</summary>
    public static string FieldOf(MailboxException ex) => ex.Message switch
    {
        _ when ex.Error == MailboxError.AlreadyExists => "id",
        var m when m.StartsWith("actor id", StringComparison.Ordinal) => "id",
        var m when m.StartsWith("team id", StringComparison.Ordinal) => "team_id",
        var m when m.StartsWith("team role", StringComparison.Ordinal) => "role",
        var m when m.StartsWith("placement", StringComparison.Ordinal) => "placement",
        var m when m.StartsWith("the display name", StringComparison.Ordinal) => "name",
        _ => "form",
    };
}

/// <summary>Audit actions of the mailbox UI.</summary>
internal static class MailboxUiAudit
{
    public const string ActorCreated = "actor.created";
    public const string ActorDeleted = "actor.deleted";
    public const string MessageSent = "message.sent";
    public const string MessageAcked = "message.acked";
}
