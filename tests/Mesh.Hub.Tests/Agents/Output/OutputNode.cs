using Grpc.Core;
using Mesh.Core.Protocol;
using Mesh.Hub.Tests.Support;
using Mesh.Node.Connection;
using static Mesh.Hub.Tests.Nodes.Join.JoinTestHelpers;

namespace Mesh.Hub.Tests.Agents.Output;

/// <summary>
/// A node enrolled with a real hub whose session the test drives message by message over mTLS, to send output chunks
/// as a node would — or as a broken or hostile one would — and read the hub's acknowledgements. In the background it
/// answers the hub's commands and sends a heartbeat every two seconds, so the session stays up.
/// </summary>
internal sealed class OutputNode : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly IDisposable _identity;
    private readonly AsyncDuplexStreamingCall<NodeMessage, HubMessage> _call;
    private readonly string _nodeId;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly System.Threading.Channels.Channel<OutputAcks> _acks = System.Threading.Channels.Channel.CreateUnbounded<OutputAcks>();
    private readonly System.Threading.Channels.Channel<AgentEventsAck> _eventAcks = System.Threading.Channels.Channel.CreateUnbounded<AgentEventsAck>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;
    private readonly Task _beating;

    private OutputNode(HubConnection connection, IDisposable identity, AsyncDuplexStreamingCall<NodeMessage, HubMessage> call, string nodeId)
    {
        (_connection, _identity, _call, _nodeId) = (connection, identity, call, nodeId);
        _reading = ReadAsync();
        _beating = BeatAsync();
    }

    public static async Task<OutputNode> AttachAsync(TestHub hub, string nodeId)
    {
        var (config, files) = await EnrollNodeAsync(hub, nodeId);
        var identity = files.Load();
        var connection = HubConnection.ForIdentity(hub.InternalUrl, identity, nodeId, config, TimeProvider.System);
        var call = connection.Channel.Session().Attach(connection.Call(TimeSpan.FromMinutes(5), CancellationToken.None));
        await call.RequestStream.WriteAsync(new NodeMessage { Hello = new NodeHello { NodeId = nodeId, Facts = new SystemFacts { CpuCount = 2 } } });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(HubMessage.BodyOneofCase.Welcome, call.ResponseStream.Current.BodyCase);
        return new OutputNode(connection, identity, call, nodeId);
    }

    public static OutputChunk Chunk(string agent, string run, long position, ReadOnlySpan<byte> data, bool complete = false, string stream = "stdout") => new()
    {
        AgentId = agent, RunId = run, Stream = stream, Position = position, Data = Google.Protobuf.ByteString.CopyFrom(data), Complete = complete,
    };

    /// <summary>Sends one message of chunks and returns the hub's acknowledgements of it.</summary>
    public async Task<IReadOnlyList<OutputAck>> SendAsync(params OutputChunk[] chunks)
    {
        var output = new OutputChunks();
        output.Chunks.AddRange(chunks);
        await WriteAsync(new NodeMessage { Output = output });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return (await _acks.Reader.ReadAsync(timeout.Token)).Acks;
    }

    /// <summary>Sends one agent status event (as the node's supervisor does) and waits until the hub has stored it.</summary>
    public async Task SendStatusAsync(ulong sequence, AgentStatus status)
    {
        var events = new AgentEvents();
        events.Events.Add(new AgentEvent { Sequence = sequence, Status = status });
        await WriteAsync(new NodeMessage { AgentEvents = events });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await _eventAcks.Reader.ReadAsync(timeout.Token)).UpToSequence < sequence)
        {
        }
    }

    private async Task WriteAsync(NodeMessage message)
    {
        await _writing.WaitAsync();
        try
        {
            await _call.RequestStream.WriteAsync(message);
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            while (await _call.ResponseStream.MoveNext(_stop.Token))
            {
                var message = _call.ResponseStream.Current;
                if (message.BodyCase == HubMessage.BodyOneofCase.OutputAcks)
                    await _acks.Writer.WriteAsync(message.OutputAcks);
                else if (message.BodyCase == HubMessage.BodyOneofCase.AgentEventsAck)
                    await _eventAcks.Writer.WriteAsync(message.AgentEventsAck);
                else if (message.BodyCase == HubMessage.BodyOneofCase.Command)
                    await WriteAsync(new NodeMessage { Result = new CommandResult { CommandId = message.Command.Id, Ok = true } });
            }
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException)
        {
        }
        finally
        {
            _acks.Writer.TryComplete();
            _eventAcks.Writer.TryComplete();
        }
    }

    private async Task BeatAsync()
    {
        try
        {
            for (ulong sequence = 1; !_stop.IsCancellationRequested; sequence++)
            {
                await WriteAsync(new NodeMessage { Heartbeat = new NodeHeartbeat { NodeId = _nodeId, Sequence = sequence } });
                await Task.Delay(TimeSpan.FromSeconds(2), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException or InvalidOperationException)
        {
        }
    }

    /// <summary>Sends <paramref name="data"/> of one stream from position 0 in 64 KiB chunks, as the node's relay does; the last ack.</summary>
    public async Task<OutputAck> SendAllAsync(string agent, string run, byte[] data, bool complete = true)
    {
        OutputAck? last = null;
        for (var offset = 0; offset < data.Length || last is null; offset += 64 * 1024)
        {
            var length = Math.Min(64 * 1024, data.Length - offset);
            var end = offset + length >= data.Length;
            last = (await SendAsync(Chunk(agent, run, offset, data.AsSpan(offset, length), complete && end))).Single();
            if (end)
                break;
        }

        return last;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _call.Dispose();
        await Task.WhenAll(_reading, _beating);
        _stop.Dispose();
        _writing.Dispose();
        _connection.Dispose();
        _identity.Dispose();
    }
}
