using System.Collections.Concurrent;

namespace Mesh.Node.Agents.Worktrees;

/// <summary>
/// One lock per repository (keyed by its resolved common git folder) around every git write — worktree add, remove,
/// prune, lock, branch deletion — so that agents created at once on one repository never collide on
/// <c>config.lock</c> or <c>index.lock</c>.
/// </summary>
internal sealed class RepoLocks
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(string commonDir, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(commonDir, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                gate.Release();
        }
    }
}
