using Mesh.Hub.Storage;
using System.Data.Common;
using System.Threading.Channels;
using Mesh.Core.Protocol;
using Microsoft.Extensions.Logging;

namespace Mesh.Hub.Mailbox.Common;

/// <summary>
/// The single writer of the mailbox tables. Queued operations are drained in batches of up to
/// <see cref="MailboxOptions.MaxBatch"/> into one transaction (group commit: on SQLite one fsync for the batch,
/// synchronous=FULL; on PostgreSQL one transaction and one commit for the batch),
/// and if one operation is refused the batch is replayed with a savepoint per operation, so it does not undo the others. Callers are released only after
/// the commit returned, so whatever they were told is on disk. Being the only writer also makes message ids
/// increase in commit order.
/// </summary>
internal sealed class MailboxWriter : IAsyncDisposable
{
    private readonly Channel<WriteOp> _queue = Channel.CreateUnbounded<WriteOp>(new UnboundedChannelOptions { SingleReader = true });
    private readonly WriteBatch _batch;
    private readonly int _maxBatch;
    private readonly ILogger _logger;
    private readonly Action<IReadOnlyList<MailboxMessage>> _committed;
    private readonly Task _loop;

    public MailboxWriter(DbConnection connection, Func<DbConnection> reopen, long nextMessageId, int maxBatch, TimeProvider time, ILogger logger,
        Action<IReadOnlyList<MailboxMessage>> committed, Func<IReadOnlyList<MailboxMessage>, IEnumerable<(string Channel, string Payload)>>? beforeCommit = null)
    {
        _batch = new WriteBatch(connection, reopen, time) { NextMessageId = nextMessageId, BeforeCommit = beforeCommit };
        _maxBatch = maxBatch;
        _logger = logger;
        _committed = committed;
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public Task<T> Enqueue<T>(Func<WriteBatch, T> work, CancellationToken cancellationToken)
    {
        // Cancellation only stops a caller from queueing; once queued the write happens (it may already be on disk).
        cancellationToken.ThrowIfCancellationRequested();
        var op = new WriteOp<T>(work);
        if (!_queue.Writer.TryWrite(op))
            throw new ObjectDisposedException(nameof(MailboxWriter), "the mailbox store is shutting down");
        return op.Task;
    }

    private async Task RunAsync()
    {
        var ops = new List<WriteOp>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            ops.Clear();
            while (ops.Count < _maxBatch && _queue.Reader.TryRead(out var op))
                ops.Add(op);
            RunBatch(ops);
        }
    }

    private void RunBatch(List<WriteOp> ops)
    {
        // Fast path: the whole batch in one transaction, no savepoints. If any operation throws, the batch is rolled
        // back and replayed with one savepoint per operation, so only the failing one fails.
        if (!TryCommit(ops, isolate: false))
            TryCommit(ops, isolate: true);
    }

    private bool TryCommit(List<WriteOp> ops, bool isolate)
    {
        var firstId = _batch.NextMessageId;
        try
        {
            _batch.Begin();
            foreach (var op in ops)
            {
                if (!isolate)
                    op.Execute(_batch);
                else
                    RunIsolated(op);
            }

            _batch.Commit();
        }
        catch (Exception ex) when (!isolate && ex is MailboxException or DbException or ArgumentException or InvalidOperationException)
        {
            _batch.Rollback();
            _batch.NextMessageId = firstId;
            return false;
        }
        catch (Exception ex)
        {
            // The commit (or the transaction itself) failed: nothing of this batch is stored.
            // A store that is gone is no bug of ours: StoreAvailability says so once, each batch only briefly.
            if (StoreOutage.Is(ex))
                MailboxLog.BatchStoreDown(_logger, ops.Count, StoreOutage.Reason(ex));
            else
                MailboxLog.BatchFailed(_logger, ops.Count, ex);
            _batch.Rollback();
            _batch.NextMessageId = firstId;
            var failure = new IOException("the mailbox store could not commit this write; retry it", ex);
            foreach (var op in ops)
            {
                if (!op.Failed)
                    op.Fail(failure);
            }

            return true;
        }

        foreach (var action in _batch.AfterCommit)
            action();
        foreach (var op in ops)
        {
            if (!op.Failed)
                op.Succeed();
        }

        if (_batch.Stored.Count > 0)
        {
            try
            {
                _committed(_batch.Stored.ToArray());
            }
            catch (Exception ex)
            {
                MailboxLog.NotifyFailed(_logger, ex);
            }
        }

        return true;
    }

    private void RunIsolated(WriteOp op)
    {
        var nextId = _batch.NextMessageId;
        var stored = _batch.Stored.Count;
        var after = _batch.AfterCommit.Count;
        _batch.Execute("SAVEPOINT op");
        try
        {
            op.Execute(_batch);
            _batch.Execute("RELEASE op");
        }
        catch (Exception ex) when (ex is MailboxException or DbException or ArgumentException or InvalidOperationException)
        {
            _batch.Execute("ROLLBACK TO op");
            _batch.Execute("RELEASE op");
            _batch.NextMessageId = nextId;
            _batch.Stored.RemoveRange(stored, _batch.Stored.Count - stored);
            _batch.AfterCommit.RemoveRange(after, _batch.AfterCommit.Count - after);
            if (ex is not MailboxException)
                MailboxLog.WriteFailed(_logger, ex);
            op.Fail(ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _batch.DisposeCommands();
        await _batch.Connection.DisposeAsync().ConfigureAwait(false);
    }
}
