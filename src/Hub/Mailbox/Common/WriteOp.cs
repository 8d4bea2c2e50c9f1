namespace Mesh.Hub.Mailbox.Common;

/// <summary>One queued write: runs inside a group-commit batch, completes only after the batch is on disk.</summary>
internal abstract class WriteOp
{
    public abstract void Execute(WriteBatch batch);

    public abstract void Succeed();

    public abstract void Fail(Exception exception);

    public bool Failed { get; protected set; }
}

internal sealed class WriteOp<T>(Func<WriteBatch, T> work) : WriteOp
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;

    public Task<T> Task => _completion.Task;

    public override void Execute(WriteBatch batch) => _result = work(batch);

    public override void Succeed() => _completion.TrySetResult(_result!);

    public override void Fail(Exception exception)
    {
        Failed = true;
        _completion.TrySetException(exception);
    }
}
