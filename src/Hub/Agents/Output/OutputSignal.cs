using System.Collections.Concurrent;

namespace Mesh.Hub.Agents.Output;

/// <summary>
/// Wakes the readers of a run's stream when output arrives, and those waiting for a run's exit when its agent's status
/// changes (one waiter task per stream or agent, replaced on each arrival).
/// </summary>
public sealed class OutputSignal : IOutputListener, IAgentChangeListener
{
    private readonly ConcurrentDictionary<(string Run, string Stream), TaskCompletionSource> _waiters = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _agentWaiters = new(StringComparer.Ordinal);

    public void OutputArrived(string agentId, string runId, string stream) => Wake(_waiters, (runId, stream));

    public void AgentChanged(string agentId) => Wake(_agentWaiters, agentId);

    /// <summary>Completes when output of the stream arrives, or after <paramref name="timeout"/>.</summary>
    public Task WaitAsync(string runId, string stream, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken) =>
        WaitAsync(_waiters, (runId, stream), timeout, time, cancellationToken);

    /// <summary>Completes when the agent's status changes (a run's exit arrived, say), or after <paramref name="timeout"/>.</summary>
    public Task WaitForAgentAsync(string agentId, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken) =>
        WaitAsync(_agentWaiters, agentId, timeout, time, cancellationToken);

    private static void Wake<TKey>(ConcurrentDictionary<TKey, TaskCompletionSource> waiters, TKey key)
        where TKey : notnull
    {
        if (waiters.TryRemove(key, out var waiter))
            waiter.TrySetResult();
    }

    private static async Task WaitAsync<TKey>(ConcurrentDictionary<TKey, TaskCompletionSource> waiters, TKey key, TimeSpan timeout, TimeProvider time,
        CancellationToken cancellationToken)
        where TKey : notnull
    {
        var waiter = waiters.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await waiter.Task.WaitAsync(timeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }
}
