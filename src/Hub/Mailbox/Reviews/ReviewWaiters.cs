using System.Collections.Concurrent;

namespace Mesh.Hub.Mailbox.Reviews;

/// <summary>Wakes callers waiting for a permission review's answer.</summary>
public sealed class ReviewWaiters
{
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource> _waiters = new();

    /// <summary>A task completed the next time the review changes. Take it before reading the review's state.</summary>
    public Task NextChange(ulong reviewId) =>
        _waiters.GetOrAdd(reviewId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Changed(ulong reviewId)
    {
        if (_waiters.TryRemove(reviewId, out var waiter))
            waiter.TrySetResult();
    }
}
