namespace Mesh.Rpc.Internal;

internal static class TaskExtensions
{
    /// <summary>
    /// Marks a task's eventual exception as observed: callers that await it still get the exception, but a call the
    /// caller dropped without awaiting (e.g. disposed) does not raise UnobservedTaskException.
    /// </summary>
    public static T ObserveFaults<T>(this T task)
        where T : Task
    {
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }
}
