using System.Collections.Concurrent;
using System.Threading.Channels;
using Mesh.Core.Protocol;
using Grpc.Core;

namespace Mesh.Hub.Nodes.Sessions;

/// <summary>
/// One attached node stream on the hub: a bounded outbound queue drained by a single writer, the commands awaiting
/// answers, and a way for the hub to end it with a status the node will see.
/// </summary>
internal sealed class LiveSession : IHubSessionChannel, IDisposable
{
    private static readonly WriteOptions BufferHint = new(WriteFlags.BufferHint);
    private readonly Channel<HubMessage> _outbound;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<CommandResult>> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closed;
    private readonly int _maxPending;
    private readonly object _gate = new();
    private Status? _closeStatus;

    public LiveSession(string nodeId, long generation, NodeSessionOptions options, CancellationToken callAborted)
    {
        NodeId = nodeId;
        Generation = generation;
        _maxPending = options.MaxPendingCommands;
        _outbound = Channel.CreateBounded<HubMessage>(new BoundedChannelOptions(options.OutboundQueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _closed = CancellationTokenSource.CreateLinkedTokenSource(callAborted);
    }

    public string NodeId { get; }

    public long Generation { get; }

    /// <summary>Cancelled when the call ends or the hub closes the session.</summary>
    public CancellationToken Token => _closed.Token;

    /// <summary>Why the hub closed the session, if it did.</summary>
    public Status? CloseStatus
    {
        get
        {
            lock (_gate)
                return _closeStatus;
        }
    }

    /// <summary>Ends the session; the node receives <paramref name="status"/> as the call's status.</summary>
    public void Close(Status status)
    {
        lock (_gate)
            _closeStatus ??= status;
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public bool TryEnqueue(HubMessage message) => _outbound.Writer.TryWrite(message);

    /// <summary>The only writer of the response stream.</summary>
    public async Task RunWriterAsync(IServerStreamWriter<HubMessage> stream)
    {
        var reader = _outbound.Reader;
        while (await reader.WaitToReadAsync(Token))
        {
            while (reader.TryRead(out var message))
            {
                // A burst shares DATA frames: only the last message of what is queued now flushes.
                stream.WriteOptions = reader.TryPeek(out _) ? BufferHint : null;
                await stream.WriteAsync(message, Token);
            }
        }
    }

    /// <summary>Queues a command and waits for the node's result.</summary>
    public async Task<CommandResult> SendAsync(NodeCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_pending.Count >= _maxPending)
            throw new SessionCommandException($"node '{NodeId}' already has {_maxPending} commands in flight; try again shortly");
        var completion = new TaskCompletionSource<CommandResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[command.Id] = completion;
        try
        {
            if (!TryEnqueue(new HubMessage { Command = command }))
                throw new SessionCommandException($"node '{NodeId}' is not reading its session fast enough (queue full)");
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Token);
            linked.CancelAfter(timeout);
            try
            {
                return await completion.Task.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SessionCommandException(Token.IsCancellationRequested
                    ? $"node '{NodeId}' disconnected before answering"
                    : $"node '{NodeId}' did not answer within {timeout.TotalSeconds:0} s");
            }
        }
        finally
        {
            _pending.TryRemove(command.Id, out _);
        }
    }

    /// <summary>A result arrived; false if no command with that id is waiting.</summary>
    public bool Complete(CommandResult result) => _pending.TryRemove(result.CommandId, out var completion) && completion.TrySetResult(result);

    public void Dispose()
    {
        _outbound.Writer.TryComplete();
        _closed.Dispose();
    }
}

/// <summary>A command could not be delivered or answered; the message says why.</summary>
public sealed class SessionCommandException(string message) : Exception(message);
