using System.Runtime.CompilerServices;

namespace Mesh.IntegrationTests.Interop;

internal static class TestTimeout
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    /// <summary>Awaits with a timeout so a hang fails fast and names where it happened.</summary>
    public static async Task<T> WithTimeout<T>(this Task<T> task, TimeSpan? timeout = null, [CallerArgumentExpression(nameof(task))] string? what = null)
    {
        var limit = timeout ?? Default;
        var winner = await Task.WhenAny(task, Task.Delay(limit));
        if (winner != task)
        {
            throw new TimeoutException($"'{what}' did not complete within {limit}.");
        }

        return await task;
    }

    public static async Task WithTimeout(this Task task, TimeSpan? timeout = null, [CallerArgumentExpression(nameof(task))] string? what = null)
    {
        var limit = timeout ?? Default;
        var winner = await Task.WhenAny(task, Task.Delay(limit));
        if (winner != task)
        {
            throw new TimeoutException($"'{what}' did not complete within {limit}.");
        }

        await task;
    }

    public static Task<T> WithTimeout<T>(this ValueTask<T> task, TimeSpan? timeout = null, [CallerArgumentExpression(nameof(task))] string? what = null) =>
        task.AsTask().WithTimeout(timeout, what);
}
