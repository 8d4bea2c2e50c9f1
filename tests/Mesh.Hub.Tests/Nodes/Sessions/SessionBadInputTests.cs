using System.Net;
using System.Net.Security;
using Mesh.Core.Configuration;
using Mesh.Core.Protocol;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Tests.Support;
using Mesh.Node.Connection;
using Mesh.Node.Identity;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using static Mesh.Hub.Tests.Nodes.Join.JoinTestHelpers;

namespace Mesh.Hub.Tests.Nodes.Sessions;

/// <summary>Nodes that misbehave on their session stream, against a real in-process hub over mTLS.</summary>
public sealed class SessionBadInputTests : IAsyncLifetime
{
    private readonly List<IDisposable> _owned = [];
    private TestHub _hub = null!;

    public async Task InitializeAsync() => _hub = await TestHub.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var item in _owned)
            item.Dispose();
        await _hub.DisposeAsync();
        _hub.Directory.Dispose();
    }

    private NodeRegistry Registry => _hub.Services.GetRequiredService<NodeRegistry>();

    [Fact]
    public async Task HeartbeatForAnotherNodesId_Rejected_OtherNodeUntouched()
    {
        var a = await ConnectAsync("node-a");
        await ConnectAsync("node-b");
        using var call = await AttachAsync(a);
        await call.RequestStream.WriteAsync(new NodeMessage { Heartbeat = new NodeHeartbeat { NodeId = "node-b", CpuUsage = 0.99 } });
        var status = await EndAsync(call);
        Assert.Equal(StatusCode.PermissionDenied, status.StatusCode);
        Assert.Contains("heartbeat for node 'node-b'", status.Detail, StringComparison.Ordinal);
        Assert.Null(Registry.Get("node-b")!.Metrics);
        Assert.Equal(NodeStatus.Offline, Registry.Get("node-b")!.Status);
    }

    [Fact]
    public async Task HelloWithMarkupInCapabilities_TagsDroppedFactsBounded()
    {
        var a = await ConnectAsync("node-a");
        using var call = a.Channel.Session().Attach(a.Call(TimeSpan.FromSeconds(30), CancellationToken.None));
        var facts = new SystemFacts { Hostname = new string('h', 5000), CpuCount = -3, MemoryBytes = -1 };
        facts.Capabilities.AddRange(["gpu", "<script>alert(1)</script>", "docker", "\"><img src=x onerror=alert(1)>", "gpu"]);
        await call.RequestStream.WriteAsync(new NodeMessage { Hello = new NodeHello { NodeId = "node-a", Facts = facts } });
        Assert.True(await call.ResponseStream.MoveNext());
        var node = Registry.Get("node-a")!;
        Assert.Equal(["gpu", "docker"], node.Record.Capabilities);
        Assert.True(node.Record.Hostname!.Length <= 254);
        Assert.Equal((0, 0L), (node.Record.CpuCount, node.Record.MemoryBytes));
    }

    [Fact]
    public async Task HelloForAnotherNodesId_Rejected()
    {
        var a = await ConnectAsync("node-a");
        await ConnectAsync("node-b");
        using var call = a.Channel.Session().Attach(a.Call(TimeSpan.FromSeconds(30), CancellationToken.None));
        await call.RequestStream.WriteAsync(new NodeMessage { Hello = new NodeHello { NodeId = "node-b" } });
        var status = await EndAsync(call);
        Assert.Equal(StatusCode.PermissionDenied, status.StatusCode);
        Assert.Equal(NodeStatus.Offline, Registry.Get("node-b")!.Status);
    }

    [Fact]
    public async Task FirstMessageNotHello_Rejected()
    {
        var a = await ConnectAsync("node-a");
        using var call = a.Channel.Session().Attach(a.Call(TimeSpan.FromSeconds(30), CancellationToken.None));
        await call.RequestStream.WriteAsync(new NodeMessage { Heartbeat = new NodeHeartbeat { NodeId = "node-a" } });
        Assert.Equal(StatusCode.InvalidArgument, (await EndAsync(call)).StatusCode);
        using var empty = a.Channel.Session().Attach(a.Call(TimeSpan.FromSeconds(30), CancellationToken.None));
        await empty.RequestStream.WriteAsync(new NodeMessage());
        Assert.Equal(StatusCode.InvalidArgument, (await EndAsync(empty)).StatusCode);
    }

    [Fact]
    public async Task HeartbeatFlood_Disconnected_OthersStayOnline()
    {
        var flooder = await ConnectAsync("flooder");
        var calm = await ConnectAsync("calm");
        using var calmCall = await AttachAsync(calm);
        using var call = await AttachAsync(flooder);
        for (var i = 0; i < 200; i++)
        {
            try
            {
                await call.RequestStream.WriteAsync(new NodeMessage { Heartbeat = new NodeHeartbeat { NodeId = "flooder", Sequence = (ulong)i } });
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException)
            {
                break; // the hub already closed the stream (with the status, or before the client has read it)
            }
        }

        var status = await EndAsync(call);
        Assert.Equal(StatusCode.ResourceExhausted, status.StatusCode);
        Assert.Contains("heartbeats arrive faster", status.Detail, StringComparison.Ordinal);
        await calmCall.RequestStream.WriteAsync(new NodeMessage { Heartbeat = new NodeHeartbeat { NodeId = "calm" } });
        await WaitAsync(() => Registry.Get("calm")!.Metrics is not null);
        Assert.Equal(NodeStatus.Online, Registry.Get("calm")!.Status);
    }

    [Fact]
    public async Task GarbageFrame_StreamEndsWithError_OthersStayOnline()
    {
        var bad = await ConnectAsync("garbler");
        var calm = await ConnectAsync("calm");
        using var calmCall = await AttachAsync(calm);
        var (identity, connection) = (_identity["garbler"], bad);
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = HubCaPolicy(),
                ClientCertificateContext = SslStreamCertificateContext.Create(identity.Certificate, null, offline: true),
            },
        };
        using var client = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_hub.InternalUrl, "/mesh.v1.NodeSession/Attach"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
        request.Headers.TE.ParseAdd("trailers");
        request.Headers.TryAddWithoutValidation("authorization", connection.Call(TimeSpan.FromSeconds(5), CancellationToken.None).Headers!.GetValue("authorization"));
        using var response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        var grpcStatus = response.TrailingHeaders.TryGetValues("grpc-status", out var values) ? values.First()
            : response.Headers.GetValues("grpc-status").First();
        Assert.NotEqual("0", grpcStatus);
        Assert.NotEqual(NodeStatus.Online, Registry.Get("garbler")!.Status);
        Assert.Equal(NodeStatus.Online, Registry.Get("calm")!.Status);
    }

    [Fact]
    public async Task TooManyReconnects_ResourceExhausted()
    {
        var a = await ConnectAsync("node-a");
        RpcException? refused = null;
        for (var i = 0; i < 30 && refused is null; i++)
        {
            using var call = a.Channel.Session().Attach(a.Call(TimeSpan.FromSeconds(30), CancellationToken.None));
            try
            {
                // The refusal comes before the hello is read: Grpc.Net.Client reports it on the write or on the read.
                await call.RequestStream.WriteAsync(new NodeMessage { Hello = new NodeHello { NodeId = "node-a" } });
                await call.ResponseStream.MoveNext();
            }
            catch (RpcException ex)
            {
                refused = ex;
            }
        }

        Assert.NotNull(refused);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("reconnects too often", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revocation_DropsLiveSessionWithReason()
    {
        var a = await ConnectAsync("node-a");
        using var call = await AttachAsync(a);
        Assert.Equal(HttpStatusCode.NoContent, (await _hub.Admin.DeleteAsync("/api/admin/agent-nodes/node-a")).StatusCode);
        var status = await EndAsync(call);
        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.StartsWith("certificate revoked: node was removed from the hub at", status.Detail, StringComparison.Ordinal);
        Assert.Equal(NodeStatus.Revoked, Registry.Get("node-a")!.Status);
    }

    [Fact]
    public async Task Delete_NodeWithRunningAgents_409UnlessForce()
    {
        var a = await ConnectAsync("busy-node");
        using var call = await AttachAsync(a);
        await call.RequestStream.WriteAsync(new NodeMessage { Heartbeat = new NodeHeartbeat { NodeId = "busy-node", RunningAgents = 2 } });
        await WaitAsync(() => Registry.Get("busy-node")!.RunningAgents == 2);

        var refused = await _hub.Admin.DeleteAsync("/api/admin/agent-nodes/busy-node");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("running 2 agent(s)", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(NodeStatus.Online, Registry.Get("busy-node")!.Status);

        Assert.Equal(HttpStatusCode.NoContent, (await _hub.Admin.DeleteAsync("/api/admin/agent-nodes/busy-node?force=true")).StatusCode);
        Assert.Equal(NodeStatus.Revoked, Registry.Get("busy-node")!.Status);
    }

    [Fact]
    public async Task PingAndTestConnection_OverLiveSession_NodeAnswers()
    {
        var a = await ConnectAsync("node-a");
        using var call = await AttachAsync(a);
        var sessions = _hub.Services.GetRequiredService<Mesh.Hub.Nodes.Sessions.NodeSessionManager>();
        var ping = sessions.PingAsync("node-a", TimeSpan.FromSeconds(10), CancellationToken.None);
        // A node that attaches first gets its agent set (ApplyAgents); answered, the ping follows.
        Assert.True(await call.ResponseStream.MoveNext());
        var command = call.ResponseStream.Current.Command;
        if (command.KindCase == NodeCommand.KindOneofCase.ApplyAgents)
        {
            Assert.Empty(command.ApplyAgents.Agents);
            await call.RequestStream.WriteAsync(new NodeMessage { Result = new CommandResult { CommandId = command.Id, Ok = true } });
            Assert.True(await call.ResponseStream.MoveNext());
            command = call.ResponseStream.Current.Command;
        }

        Assert.Equal(NodeCommand.KindOneofCase.Ping, command.KindCase);
        await call.RequestStream.WriteAsync(new NodeMessage { Result = new CommandResult { CommandId = command.Id, Ok = true, Pong = new PongResult() } });
        Assert.True(await ping > TimeSpan.Zero);
        await Assert.ThrowsAsync<Mesh.Hub.Nodes.Sessions.SessionCommandException>(() => sessions.PingAsync("nobody", TimeSpan.FromSeconds(1), CancellationToken.None));
    }

    private readonly Dictionary<string, LoadedNodeIdentity> _identity = new(StringComparer.Ordinal);

    [Fact]
    public async Task AgentEventsAboutAnotherNodesAgent_Refused_Audited_OwnOnesStoredOnce()
    {
        var a = await ConnectAsync("node-a");
        await ConnectAsync("node-b");
        var agents = _hub.Services.GetRequiredService<Mesh.Hub.Agents.AgentService>();
        await agents.CreateAsync(new Mesh.Hub.Agents.AgentRequest(Id: "victim", Placement: "node-b", Command: ["sleep", "1"]), "root", null, CancellationToken.None);
        await agents.CreateAsync(new Mesh.Hub.Agents.AgentRequest(Id: "mine", Placement: "node-a", Command: ["sleep", "1"]), "root", null, CancellationToken.None);
        using var call = await AttachAsync(a);

        var events = new AgentEvents();
        events.Events.Add(new AgentEvent { Sequence = 1, Status = new AgentStatus { AgentId = "victim", State = "running" } });
        events.Events.Add(new AgentEvent { Sequence = 2, Status = new AgentStatus { AgentId = "mine", State = "running" } });
        await call.RequestStream.WriteAsync(new NodeMessage { AgentEvents = events });
        Assert.Equal(2ul, await NextAckAsync(call));
        // The same sequence again (a resend after a lost ack) changes nothing.
        var replay = new AgentEvents();
        replay.Events.Add(new AgentEvent { Sequence = 2, Status = new AgentStatus { AgentId = "mine", State = "stopped" } });
        await call.RequestStream.WriteAsync(new NodeMessage { AgentEvents = replay });
        Assert.Equal(2ul, await NextAckAsync(call));

        var store = _hub.Services.GetRequiredService<Mesh.Hub.Agents.AgentStore>();
        Assert.Null(store.Status("victim"));
        Assert.Equal("running", store.Status("mine")!.State);
        var audit = await _hub.Services.GetRequiredService<Mesh.Hub.Audit.IAuditLog>().ListAsync(100, null, CancellationToken.None);
        Assert.Contains(audit, e => e.Action == "agent.event_refused" && e.Target == "victim" && e.Actor == "node:node-a");
    }

    [Fact]
    public async Task OutputThatSkipsOrIsForged_Refused_SessionSurvives_ResendsStoredOnce()
    {
        var a = await ConnectAsync("node-a");
        await ConnectAsync("node-b");
        var agents = _hub.Services.GetRequiredService<Mesh.Hub.Agents.AgentService>();
        await agents.CreateAsync(new Mesh.Hub.Agents.AgentRequest(Id: "writer", Placement: "node-a", Command: ["true"]), "root", null, CancellationToken.None);
        await agents.CreateAsync(new Mesh.Hub.Agents.AgentRequest(Id: "other", Placement: "node-b", Command: ["true"]), "root", null, CancellationToken.None);
        using var call = await AttachAsync(a);

        // 0..5, then a resend overlapping it (0..8), then a chunk that skips to 100 without saying output was dropped.
        Assert.Equal(5, (await SendOutputAsync(call, Chunk("writer", "r1", 0, "01234"))).Position);
        Assert.Equal(8, (await SendOutputAsync(call, Chunk("writer", "r1", 0, "01234567"))).Position);
        Assert.Equal(8, (await SendOutputAsync(call, Chunk("writer", "r1", 100, "xyz"))).Position);
        // Backwards and already stored: nothing changes.
        Assert.Equal(8, (await SendOutputAsync(call, Chunk("writer", "r1", 2, "234"))).Position);
        // Another node's agent: refused and audited.
        await SendOutputAsync(call, Chunk("other", "r2", 0, "forged"));

        var files = _hub.Services.GetRequiredService<Mesh.Hub.Agents.Output.OutputFiles>();
        var slice = await files.ReadAsync("r1", "stdout", 0, 1000, CancellationToken.None);
        Assert.Equal("01234567", System.Text.Encoding.ASCII.GetString(slice!.Data));
        Assert.Null(files.State("r2", "stdout"));
        var audit = await _hub.Services.GetRequiredService<Mesh.Hub.Audit.IAuditLog>().ListAsync(100, null, CancellationToken.None);
        Assert.Contains(audit, e => e.Action == "agent.event_refused" && e.Target == "other");

        // The session is still up: a heartbeat is taken.
        await call.RequestStream.WriteAsync(new NodeMessage { Heartbeat = new NodeHeartbeat { NodeId = "node-a", CpuUsage = 0.5 } });
        await Task.Delay(300);
        Assert.Equal(0.5, Registry.Get("node-a")!.Metrics!.CpuUsage);
    }

    private static OutputChunk Chunk(string agent, string run, long position, string text) => new()
    {
        AgentId = agent, RunId = run, Stream = "stdout", Position = position, Data = Google.Protobuf.ByteString.CopyFromUtf8(text),
    };

    private static async Task<OutputAck> SendOutputAsync(AsyncDuplexStreamingCall<NodeMessage, HubMessage> call, OutputChunk chunk)
    {
        var output = new OutputChunks();
        output.Chunks.Add(chunk);
        await call.RequestStream.WriteAsync(new NodeMessage { Output = output });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await call.ResponseStream.MoveNext(timeout.Token))
        {
            var message = call.ResponseStream.Current;
            if (message.BodyCase == HubMessage.BodyOneofCase.OutputAcks)
                return message.OutputAcks.Acks.Single();
            if (message.BodyCase == HubMessage.BodyOneofCase.Command)
                await call.RequestStream.WriteAsync(new NodeMessage { Result = new CommandResult { CommandId = message.Command.Id, Ok = true } });
        }

        throw new InvalidOperationException("the session ended before an ack");
    }

    private static async Task<ulong> NextAckAsync(AsyncDuplexStreamingCall<NodeMessage, HubMessage> call)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await call.ResponseStream.MoveNext(timeout.Token))
        {
            var message = call.ResponseStream.Current;
            if (message.BodyCase == HubMessage.BodyOneofCase.AgentEventsAck)
                return message.AgentEventsAck.UpToSequence;
            if (message.BodyCase == HubMessage.BodyOneofCase.Command)
                await call.RequestStream.WriteAsync(new NodeMessage { Result = new CommandResult { CommandId = message.Command.Id, Ok = true } });
        }

        throw new InvalidOperationException("the session ended before an ack");
    }

    private async Task<HubConnection> ConnectAsync(string nodeId)
    {
        var (config, files) = await EnrollNodeAsync(_hub, nodeId);
        var identity = files.Load();
        _identity[nodeId] = identity;
        _owned.Add(identity);
        var connection = HubConnection.ForIdentity(_hub.InternalUrl, identity, nodeId, config, TimeProvider.System);
        _owned.Add(connection);
        return connection;
    }

    private static async Task<AsyncDuplexStreamingCall<NodeMessage, HubMessage>> AttachAsync(HubConnection connection)
    {
        var call = connection.Channel.Session().Attach(connection.Call(TimeSpan.FromMinutes(2), CancellationToken.None));
        await call.RequestStream.WriteAsync(new NodeMessage { Hello = new NodeHello { NodeId = connection.NodeId, Facts = new SystemFacts { CpuCount = 2 } } });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(HubMessage.BodyOneofCase.Welcome, call.ResponseStream.Current.BodyCase);
        return call;
    }

    private static async Task<Status> EndAsync(AsyncDuplexStreamingCall<NodeMessage, HubMessage> call)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (await call.ResponseStream.MoveNext(timeout.Token))
            {
            }

            return call.GetStatus();
        }
        catch (RpcException ex)
        {
            return ex.Status;
        }
    }

    private System.Security.Cryptography.X509Certificates.X509ChainPolicy HubCaPolicy()
    {
        var policy = new System.Security.Cryptography.X509Certificates.X509ChainPolicy
        {
            TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust,
            RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.Add(_hub.Identity.Authority.Certificate);
        return policy;
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.True(condition());
    }
}
