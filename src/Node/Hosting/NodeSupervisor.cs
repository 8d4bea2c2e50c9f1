using Mesh.Node.Join;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.Hosting;

/// <summary>
/// Runs every <see cref="INodeLoop"/> side by side once the host has started (its listeners are bound, so a taken port
/// fails the start before a join token is spent). If one fails, the others are cancelled and all start again after a
/// jittered backoff (1 s → 30 s); a <see cref="NodeStopException"/> stops the node and is kept in
/// <see cref="NodeStop"/> for the process to report.
/// </summary>
internal sealed class NodeSupervisor(IEnumerable<INodeLoop> loops, NodeStop stop, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<NodeSupervisor> logger)
    : BackgroundService
{
    private static readonly TimeSpan Healthy = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await StartedAsync(stoppingToken))
            return;
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = time.GetUtcNow();
            var failure = await RunOnceAsync(stoppingToken);
            if (failure is NodeStopException stopped)
            {
                stop.Set(stopped);
                NodeSupervisorLog.Stopping(logger, stopped.Message);
                lifetime.StopApplication();
                return;
            }

            if (failure is null)
                return;
            if (time.GetUtcNow() - started >= Healthy)
                backoff.Reset();
            var delay = backoff.Next();
            NodeSupervisorLog.Restarting(logger, failure, delay);
            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Runs all loops until one ends; returns what ended it (null: a clean stop).</summary>
    private async Task<Exception?> RunOnceAsync(CancellationToken stoppingToken)
    {
        using var round = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var running = loops.Select(loop => Task.Run(() => loop.RunAsync(round.Token), CancellationToken.None)).ToList();
        await Task.WhenAny(running);
        await round.CancelAsync();
        var failures = new List<Exception>();
        foreach (var task in running)
        {
            try
            {
                await task;
            }
            catch (OperationCanceledException) when (round.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }
        }

        // A stop request wins; a clean shutdown is no failure; a loop that returned on its own is one.
        if (failures.OfType<NodeStopException>().FirstOrDefault() is { } stopRequest)
            return stopRequest;
        if (stoppingToken.IsCancellationRequested)
            return null;
        return failures.FirstOrDefault() ?? new InvalidOperationException("a node loop ended on its own");
    }

    private async Task<bool> StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>Why the node stopped itself, if it did: what the process reports (exit code 1) once the host is down.</summary>
public sealed class NodeStop
{
    private volatile NodeStopException? _reason;

    public NodeStopException? Reason => _reason;

    internal void Set(NodeStopException reason) => _reason ??= reason;
}

internal static partial class NodeSupervisorLog
{
    [LoggerMessage(EventId = 4201, EventName = "NodeLoopFailed", Level = LogLevel.Error, Message = "A node loop failed; restarting all loops in {Delay}")]
    public static partial void Restarting(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 4202, EventName = "NodeStopping", Level = LogLevel.Error, Message = "The node stops: {Reason}")]
    public static partial void Stopping(ILogger logger, string reason);
}
