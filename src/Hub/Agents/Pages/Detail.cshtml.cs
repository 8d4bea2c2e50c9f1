using Mesh.Core.Protocol;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mesh.Hub.Agents.Pages;

/// <summary>/agents/{id}: the spec, the live status, the runs and the last output; root starts, stops, restarts, kills and deletes (post/redirect/get).</summary>
public sealed partial class AgentModel(AgentService agents, AgentWorktrees worktrees, Replicas.ReplicaService scaler, Mailbox.Schedules.ScheduleService schedules,
    Replicas.ReplicaActivityReader activity, TimeProvider time) : PageModel
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

    public async Task<IActionResult> OnGetAsync(string id, string? done)
    {
        Message = done switch
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
    public async Task<IActionResult> OnGetWorktreeAsync(string id)
    {
        try
        {
            return Html(AgentWorktreeHtml.State(id, await worktrees.StateAsync(id, HttpContext.RequestAborted)));
        }
        catch (AgentException ex)
        {
            return Html(AgentWorktreeHtml.Problem(ex.Message));
        }
    }

    public async Task<IActionResult> OnGetWorktreeDiffAsync(string id, string? file)
    {
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
    public async Task<IActionResult> OnGetSchedulesAsync(string id)
    {
        var rows = new List<(Mailbox.Schedules.ScheduleDefinition, Mailbox.Schedules.FireRecord?)>();
        foreach (var schedule in await schedules.ListAsync(id, HttpContext.RequestAborted))
            rows.Add((schedule, (await schedules.FiresAsync(schedule.Id, 1, HttpContext.RequestAborted)) is [var last, ..] ? last : null));
        return Html(AgentScheduleHtml.Table(rows, time.GetUtcNow()));
    }

    private ContentResult Html(string html) => Content(html, "text/html; charset=utf-8");

    public Task<IActionResult> OnPostStartAsync(string id) => ActAsync(id, "started", agents.StartAsync);

    public Task<IActionResult> OnPostStopAsync(string id) => ActAsync(id, "stopped", agents.StopAsync);

    public Task<IActionResult> OnPostRestartAsync(string id) => ActAsync(id, "restarted", agents.RestartAsync);

    public Task<IActionResult> OnPostKillAsync(string id) => ActAsync(id, "killed", agents.KillAsync);

    public Task<IActionResult> OnPostScaleAsync(string id, int? replicas) =>
        ActAsync(id, "scaled", async (agentId, actor, source, cancellationToken) =>
        {
            await scaler.ScaleAsync(agentId, replicas ?? throw new AgentException(AgentError.InvalidArgument, $"give the number of replicas, 1 to {scaler.MaxReplicas}.", "replicas"), actor, source, cancellationToken);
            return agents.Get(agentId)!;
        });

    public async Task<IActionResult> OnPostDeleteAsync(string id, string? confirm)
    {
        if (!User.IsInRole("root"))
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

    private async Task<IActionResult> ActAsync(string id, string done, Func<string, string, string?, CancellationToken, Task<AgentView>> action)
    {
        if (!User.IsInRole("root"))
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

    private async Task<IActionResult> RefusedAsync(string id, int status, string message)
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
