using System.Collections.Concurrent;

namespace Mesh.Hub.Agents.Output;

/// <summary>Wakes the readers of a run's stream when output arrives (one waiter task per stream, replaced on each arrival).</summary>
public sealed class OutputSignal : IOutputListener
{
    private readonly ConcurrentDictionary<(string Run, string Stream), TaskCompletionSource> _waiters = new();

    public void OutputArrived(string agentId, string runId, string stream)
    {
        if (_waiters.TryRemove((runId, stream), out var waiter))
            waiter.TrySetResult();
    }

    /// <summary>Completes when output of the stream arrives, or after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(string runId, string stream, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var waiter = _waiters.GetOrAdd((runId, stream), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await waiter.Task.WaitAsync(timeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }
}
