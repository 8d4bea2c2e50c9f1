using Mesh.Core.Protocol;
using Mesh.Hub.Web;
using RazorSlices;

namespace Mesh.Hub.Agents.Pages;

/// <summary>/agents/{id}: the spec, the live status, the runs and the last output; root starts, stops, restarts, kills and deletes (post/redirect/get).</summary>
public sealed partial class AgentModel(AgentService agents, AgentWorktrees worktrees, Replicas.ReplicaService scaler, Mailbox.Schedules.ScheduleService schedules,
    Replicas.ReplicaActivityReader activity, TimeProvider time) : UiPageModel
{
    /// <summary>The scale field's maximum ([hub] max_replicas).</summary>
    public int MaxReplicas => scaler.MaxReplicas;

    public AgentView? Agent { get; private set; }

    public IReadOnlyList<AgentRun> Runs { get; private set; } = [];

    /// <summary>Each run's conversations and last fire (the replicas table).</summary>
    public IReadOnlyDictionary<string, Replicas.ReplicaActivity> Activity { get; private set; } = new Dictionary<string, Replicas.ReplicaActivity>();

    public DateTimeOffset Now { get; private set; }

    public string? Message { get; private set; }

    public bool MessageIsError { get; private set; }

    protected override RazorSlice Slice() => Detail.Create(this);

    private string Id => Value("id")!;

    public async Task<IResult> OnGetAsync()
    {
        var id = Id;
        Message = Query("done") switch
        {
            "created" => "Agent created.",
            "started" => "Start requested: the node starts it now.",
            "stopped" => "Stop requested: SIGTERM, then SIGKILL after the grace.",
            "restarted" => "Restart requested.",
            "killed" => "Kill requested: SIGKILL now; the agent stays stopped.",
            "input" => "Input sent.",
            "scaled" => "Scale requested: new replicas start on their nodes; removed ones drain first.",
            "schedule-created" => "Schedule created.",
            "schedule-deleted" => "Schedule deleted: it fires no more (its past fires stay listed).",
            _ => null,
        };
        return await LoadAsync(id) ? Page() : NotFound();
    }

    /// <summary>The worktree section, asked from the node when the page loads it (htmx).</summary>
    public async Task<IResult> OnGetWorktreeAsync()
    {
        var id = Id;
        try
        {
            return Html(AgentWorktreeHtml.State(id, await worktrees.StateAsync(id, HttpContext.RequestAborted)));
        }
        catch (AgentException ex)
        {
            return Html(AgentWorktreeHtml.Problem(ex.Message));
        }
    }

    public async Task<IResult> OnGetWorktreeDiffAsync()
    {
        var (id, file) = (Id, Value("file"));
        try
        {
            return Html(AgentWorktreeHtml.Diff(file ?? "", await worktrees.DiffAsync(id, file ?? "", HttpContext.RequestAborted)));
        }
        catch (AgentException ex)
        {
            return Html(AgentWorktreeHtml.Problem(ex.Message));
        }
    }

    /// <summary>The schedules with their next fire times, polled by the page every 2 s.</summary>
    public async Task<IResult> OnGetSchedulesAsync()
    {
        var id = Id;
        var rows = new List<(Mailbox.Schedules.ScheduleDefinition, Mailbox.Schedules.FireRecord?)>();
        foreach (var schedule in await schedules.ListAsync(id, HttpContext.RequestAborted))
            rows.Add((schedule, (await schedules.FiresAsync(schedule.Id, 1, HttpContext.RequestAborted)) is [var last, ..] ? last : null));
        return Html(AgentScheduleHtml.Table(rows, time.GetUtcNow()));
    }

    public Task<IResult> OnPostStartAsync() => ActAsync(Id, "started", agents.StartAsync);

    public Task<IResult> OnPostStopAsync() => ActAsync(Id, "stopped", agents.StopAsync);

    public Task<IResult> OnPostRestartAsync() => ActAsync(Id, "restarted", agents.RestartAsync);

    public Task<IResult> OnPostKillAsync() => ActAsync(Id, "killed", agents.KillAsync);

    public Task<IResult> OnPostScaleAsync()
    {
        int? replicas = int.TryParse(Value("replicas"), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
        return ActAsync(Id, "scaled", async (agentId, actor, source, cancellationToken) =>
        {
            await scaler.ScaleAsync(agentId, replicas ?? throw new AgentException(AgentError.InvalidArgument, $"give the number of replicas, 1 to {scaler.MaxReplicas}.", "replicas"), actor, source, cancellationToken);
            return agents.Get(agentId)!;
        });
    }

    public async Task<IResult> OnPostDeleteAsync()
    {
        var (id, confirm) = (Id, Value("confirm"));
        if (!User.IsInRole(AdminRoles.Root))
            return Forbid();
        if (confirm != "yes")
            return await RefusedAsync(id, StatusCodes.Status400BadRequest, $"Tick the confirmation box to delete agent '{id}'.");
        try
        {
            await agents.DeleteAsync(id, Actor, Source, HttpContext.RequestAborted);
        }
        catch (AgentException ex)
        {
            return await RefusedAsync(id, AgentPageStatus.Of(ex), ex.Message);
        }

        return Redirect("/agents?deleted=" + Uri.EscapeDataString(id));
    }

    private string Actor => User.Identity?.Name ?? "root";

    private string? Source => HttpContext.Connection.RemoteIpAddress?.ToString();

    private async Task<IResult> ActAsync(string id, string done, Func<string, string, string?, CancellationToken, Task<AgentView>> action)
    {
        if (!User.IsInRole(AdminRoles.Root))
            return Forbid();
        try
        {
            await action(id, Actor, Source, HttpContext.RequestAborted);
        }
        catch (AgentException ex)
        {
            return await RefusedAsync(id, AgentPageStatus.Of(ex), ex.Message);
        }

        return Redirect($"/agents/{Uri.EscapeDataString(id)}?done={done}");
    }

    private async Task<IResult> RefusedAsync(string id, int status, string message)
    {
        if (!await LoadAsync(id))
            return NotFound();
        Response.StatusCode = status;
        Message = message;
        MessageIsError = true;
        return Page();
    }

    private async Task<bool> LoadAsync(string id)
    {
        Now = time.GetUtcNow();
        Agent = agents.Get(id);
        if (Agent is null)
            return false;
        Runs = await AgentsStream.RunsAsync(agents, id, HttpContext.RequestAborted) ?? [];
        if (Agent.Definition.ReplicaOf is null)
        {
            Schedules = await schedules.ListAsync(id, HttpContext.RequestAborted);
            Activity = await activity.ReadAsync(id, HttpContext.RequestAborted);
        }
        if (Agent.Status?.Run is { Tty: true })
            AllowTerminalStyles();
        return true;
    }
}
