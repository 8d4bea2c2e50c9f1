using System.Diagnostics;
using Mesh.Core.Configuration;
using Mesh.Core.Protocol;
using Mesh.Node.Connection;
using Mesh.Node.Identity;
using Mesh.Node.Join;
using Grpc.Core;

namespace Mesh.ScaleBench;

/// <summary>
/// One simulated node: enrolled with a real join token (its own key, CSR and certificate), its own HTTP/2 + TLS
/// connection (client certificate in mtls mode), one NodeSession stream with hello, heartbeats and answers.
/// </summary>
internal sealed class SimulatedNode : IDisposable
{
    private readonly MeshConfig _config;
    private readonly string _certDir;
    private LoadedNodeIdentity? _identity;
    private HubConnection? _connection;
    private AsyncDuplexStreamingCall<NodeMessage, HubMessage>? _call;
    private ulong _sequence;

    public SimulatedNode(string id, string folder, Uri hub, string token, string mode)
    {
        Id = id;
        _certDir = Path.Combine(folder, id);
        var path = Path.Combine(folder, id + ".toml");
        File.WriteAllText(path, $"""
            [server]
            role = "node"
            node_id = "{id}"
            data_dir = "{id}-data"
            [internal_grpc.security]
            mode = "{mode}"
            cert_dir = "{id}"
            [internal_grpc.bootstrap]
            token = "{token}"
            [hub]
            target = "{hub.ToString().TrimEnd('/')}"
            """);
        _config = ConfigLoader.Load(path, new Dictionary<string, string?>());
    }

    public string Id { get; }

    public bool Attached { get; private set; }

    public async Task EnrollAsync(CancellationToken cancellationToken)
    {
        var files = new NodeIdentityFiles(_certDir);
        await new NodeEnroller(_config, files, TimeProvider.System).EnrollAsync(cancellationToken);
        _identity = files.Load();
    }

    public async Task AttachAsync(CancellationToken cancellationToken)
    {
        _connection = HubConnection.ForIdentity(_config.Hub.Target!, _identity!, Id, _config, TimeProvider.System);
        var options = _connection.Call(TimeSpan.FromMinutes(1), cancellationToken);
        _call = _connection.Session.Attach(new CallOptions(options.Headers, deadline: null, cancellationToken: cancellationToken));
        await _call.RequestStream.WriteAsync(new NodeMessage { Hello = new NodeHello { NodeId = Id, Facts = new SystemFacts { CpuCount = 4, MemoryBytes = 16L << 30, Platform = "linux", Arch = "x64", Version = "bench" } } }, cancellationToken);
        if (!await _call.ResponseStream.MoveNext(cancellationToken) || _call.ResponseStream.Current.BodyCase != HubMessage.BodyOneofCase.Welcome)
            throw new InvalidOperationException($"{Id}: no welcome");
        Attached = true;
        _ = ReadCommandsAsync(cancellationToken);
    }

    /// <summary>Sends one heartbeat; returns how late it went out versus its schedule.</summary>
    public async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        var beat = new NodeHeartbeat
        {
            NodeId = Id,
            Sequence = ++_sequence,
            CpuUsage = Random.Shared.NextDouble() * 0.5,
            MemoryFreeBytes = 8L << 30,
            MemoryTotalBytes = 16L << 30,
            DiskFreeBytes = 100L << 30,
            DiskTotalBytes = 200L << 30,
            ProcessCount = 150,
        };
        await _call!.RequestStream.WriteAsync(new NodeMessage { Heartbeat = beat }, cancellationToken);
    }

    public void Dispose()
    {
        _call?.Dispose();
        _connection?.Dispose();
        _identity?.Dispose();
    }

    private async Task ReadCommandsAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _call!.ResponseStream.MoveNext(cancellationToken))
            {
                var command = _call.ResponseStream.Current.Command;
                if (command is not null)
                    await _call.RequestStream.WriteAsync(new NodeMessage { Result = new CommandResult { CommandId = command.Id, Ok = true, Pong = new PongResult() } }, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException or InvalidOperationException)
        {
        }

        Attached = false;
    }
}
