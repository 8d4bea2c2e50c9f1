using Htmx;
using Mesh.Core.Protocol;
using Mesh.Hub.Audit;
using Mesh.Hub.Web;
using RazorSlices;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Messages.Pages;

/// <summary>/mailboxes/{actorId}: one actor's inbox, newest first, live over SSE; root sends a message as root.</summary>
public sealed class ActorInboxModel(ActorService actors, MessageService messages, IAuditLog audit, IEnumerable<IActorInboxSection> sections) : UiPageModel
{
    public const int Shown = MessagesStream.BacklogLimit;

    public ActorRecord? Actor { get; private set; }

    public IReadOnlyList<MailboxMessage> Messages { get; private set; } = [];

    public long PendingCount { get; private set; }

    /// <summary>What other capabilities show for the actor (its time triggers), as HTML.</summary>
    public IReadOnlyList<string> Sections { get; private set; } = [];

    public SendMessageForm Form { get; private set; } = new();

    protected override RazorSlice Slice() => Pages.Actor.Create(this);

    private string ActorId => Value("actorId")!;

    public async Task<IResult> OnGetAsync()
    {
        var actorId = ActorId;
        if (!await LoadAsync(actorId))
            return NotFound();
        Form = SendMessageForm.For(Actor!);
        var shown = new List<string>();
        foreach (var section in sections)
            shown.Add(await section.RenderAsync(actorId, HttpContext.RequestAborted));
        Sections = shown;
        return Page();
    }

    public async Task<IResult> OnPostSendAsync()
    {
        var actorId = ActorId;
        if (!User.IsInRole(AdminRoles.Root))
            return Forbid();
        if (!await LoadAsync(actorId))
            return NotFound();
        Form = SendMessageForm.FromRequest(Request.Form, Actor!);
        var status = StatusCodes.Status200OK;
        try
        {
            var response = await messages.SendAsync(ActorService.RootCaller, Form.ToRequest(), HttpContext.RequestAborted);
            Form = SendMessageForm.For(Actor!);
            Form.Sent = response;
            await audit.RecordAsync(User.Identity?.Name ?? "root", MailboxUiAudit.MessageSent, string.Join(",", response.Recipients), HttpContext.Connection.RemoteIpAddress?.ToString(),
                "message " + string.Join(",", response.MessageIds), HttpContext.RequestAborted);
        }
        catch (MailboxException ex)
        {
            Form.Error = ex.Message;
            Form.ErrorCode = MailboxErrors.Code(ex.Error);
            status = MailboxErrors.HttpStatus(ex.Error);
        }

        // htmx swaps only 2xx answers: it gets the form with the result inline; a plain POST gets the page and the status.
        if (Request.IsHtmx())
            return Partial(_MailboxSendForm.Create(Form));
        Response.StatusCode = status;
        await LoadAsync(actorId);
        return Page();
    }

    /// <summary>Acknowledges one message as the actor would (root acting for it); answers the row as it is now.</summary>
    public async Task<IResult> OnPostAckAsync()
    {
        var actorId = ActorId;
        var id = ulong.TryParse(Value("id"), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
        if (!User.IsInRole(AdminRoles.Root))
            return Forbid();
        if (actors.Find(actorId) is null)
            return NotFound();
        try
        {
            var request = new AckRequest { ActorId = actorId };
            request.MessageIds.Add(id);
            var acked = await messages.AckAsync(ActorService.RootCaller, request, HttpContext.RequestAborted);
            if (acked.Acked > 0)
                await audit.RecordAsync(User.Identity?.Name ?? "root", MailboxUiAudit.MessageAcked, actorId, HttpContext.Connection.RemoteIpAddress?.ToString(), "message " + id, HttpContext.RequestAborted);
        }
        catch (MailboxException ex)
        {
            return Results.Text(ex.Message, "text/plain; charset=utf-8", statusCode: MailboxErrors.HttpStatus(ex.Error));
        }

        var row = (await messages.LatestMessagesAsync(actorId, Shown, HttpContext.RequestAborted)).FirstOrDefault(m => m.Id == id);
        return row is null ? Redirect("/mailboxes/" + Uri.EscapeDataString(actorId)) : Html(MessageHtml.MessageRow(row));
    }

    private async Task<bool> LoadAsync(string actorId)
    {
        Actor = actors.Find(actorId);
        if (Actor is null)
            return false;
        Messages = await messages.LatestMessagesAsync(actorId, Shown, HttpContext.RequestAborted);
        PendingCount = await messages.CountPendingAsync(actorId, HttpContext.RequestAborted);
        return true;
    }
}

/// <summary>The "send as root" form: to the actor or a team channel, text or JSON; the outcome shown inline.</summary>
public sealed class SendMessageForm
{
    public string ActorId { get; init; } = string.Empty;

    public string Target { get; init; } = "actor";

    public string ToActorId { get; init; } = string.Empty;

    public string TeamId { get; init; } = string.Empty;

    public string Kind { get; init; } = "text";

    public string Payload { get; init; } = string.Empty;

    public string Channel { get; init; } = string.Empty;

    public string RunId { get; init; } = string.Empty;

    public SendResponse? Sent { get; set; }

    public string? Error { get; set; }

    public string? ErrorCode { get; set; }

    public static SendMessageForm For(ActorRecord actor) => new() { ActorId = actor.Id, ToActorId = actor.Id, TeamId = actor.TeamId ?? string.Empty };

    public static SendMessageForm FromRequest(IFormCollection form, ActorRecord actor) => new()
    {
        ActorId = actor.Id,
        Target = form["target"] == "team" ? "team" : "actor",
        ToActorId = form["to_actor_id"].ToString().Trim(),
        TeamId = form["team_id"].ToString().Trim(),
        Kind = form["kind"] == "json" ? "json" : "text",
        Payload = form["payload"].ToString(),
        Channel = form["channel"].ToString().Trim(),
        RunId = form["run_id"].ToString().Trim(),
    };

    public SendRequest ToRequest()
    {
        var request = new SendRequest
        {
            Payload = Payload,
            PayloadKind = Kind == "json" ? PayloadKind.Json : PayloadKind.Text,
            Channel = Channel,
            RunId = RunId,
        };
        if (Target == "team")
            request.TeamId = TeamId;
        else
            request.ToActorId = ToActorId;
        return request;
    }
}
