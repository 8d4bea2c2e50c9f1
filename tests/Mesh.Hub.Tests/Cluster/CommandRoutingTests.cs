using Google.Protobuf;
using Mesh.Core.Protocol;
using Mesh.Hub.Cluster;
using Mesh.Hub.Nodes.Sessions;
using Mesh.Hub.Nodes.Sessions.Routing;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Hub.Tests.Cluster;

/// <summary>
/// The sending side of command routing between hubs on a real PostgreSQL database, each hub with its real bus, lease
/// and router. The holder's part (claim, answer, die) is played by the test through the holder's store, as the
/// holder's runner would (its real run down a node session is in <see cref="TwoHubsProcessTests"/>).
/// </summary>
[Collection(PostgresServer.Collection)]
public sealed class CommandRoutingTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly List<RoutingHub> _hubs = [];
    private readonly string _node = "n-" + Guid.NewGuid().ToString("N")[..8];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var hub in _hubs)
            await hub.DisposeAsync();
    }

    [Fact]
    public async Task Send_NodeHeldNowhereOrByAHubWhoseLeaseEnded_NotConnected()
    {
        var (sender, holder) = (await StartAsync("s"), await StartAsync("h"));

        var nowhere = await Assert.ThrowsAsync<SessionCommandException>(() => sender.Router.SendElsewhereAsync(_node, Ping(), Timeout, CancellationToken.None));
        await holder.Router.AttachedAsync(_node, 1, CancellationToken.None);
        await holder.Leases.StopAsync(CancellationToken.None);
        var expired = await Assert.ThrowsAsync<SessionCommandException>(() => sender.Router.SendElsewhereAsync(_node, Ping(), Timeout, CancellationToken.None));

        Assert.Equal($"node '{_node}' has no live session (it is not connected to this hub or any other hub of the mesh)", nowhere.Message);
        Assert.Equal(nowhere.Message, expired.Message);
    }

    [Fact]
    public async Task Send_HolderClaimsAndAnswers_ResultReturned_AndOtherHubsSeeTheSession()
    {
        var (sender, holder) = (await StartAsync("s"), await StartAsync("h"));
        await holder.Router.AttachedAsync(_node, 7, CancellationToken.None);
        await HubsOnPostgres.WaitForAsync(() => Task.FromResult(sender.Router.HeldElsewhere(_node)), held => held, "the sender hearing of the session");

        var send = sender.Router.SendElsewhereAsync(_node, Ping("c1"), Timeout, CancellationToken.None);
        var claimed = await ClaimNextAsync(holder);
        await holder.Store.EndAsync(claimed.Id, CommandStates.Sent, CommandStates.Done, new CommandResult { CommandId = "c1", Ok = true }.ToByteArray(), null, DateTimeOffset.UtcNow, CancellationToken.None);
        var result = await send;
        await holder.Router.DetachedAsync(_node, 7, CancellationToken.None);
        await HubsOnPostgres.WaitForAsync(() => Task.FromResult(sender.Router.HeldElsewhere(_node)), held => !held, "the sender hearing the session ended");

        Assert.Equal(("c1", _node, CommandKind.Ping), (claimed.Id, claimed.NodeId, Kind(claimed)));
        Assert.Equal(("c1", true), (result.CommandId, result.Ok));
        Assert.False(holder.Router.HeldElsewhere(_node));
    }

    [Fact]
    public async Task HolderDiesAfterClaimingInput_SenderReportsMayOrMayNotHaveRun_AndSendsNothingAgain()
    {
        var (sender, holder, next) = (await StartAsync("s"), await StartAsync("h"), await StartAsync("h2"));
        await holder.Router.AttachedAsync(_node, 1, CancellationToken.None);
        var input = new NodeCommand { Id = "in-1", AgentInput = new AgentInputCommand { AgentId = "a", Data = ByteString.CopyFromUtf8("once\n") } };

        var send = sender.Router.SendElsewhereAsync(_node, input, Timeout, CancellationToken.None);
        await ClaimNextAsync(holder);
        await next.Router.AttachedAsync(_node, 1, CancellationToken.None); // the node moved on: still, nothing is sent again
        await holder.Leases.StopAsync(CancellationToken.None);
        var failed = await Assert.ThrowsAsync<SessionCommandException>(() => send);

        Assert.Equal($"hub '{holder.Id}' that held node '{_node}'s session stopped; the command may or may not have run", failed.Message);
        Assert.Equal([("in-1", CommandStates.Lost)], await RowsAsync(sender));
    }

    [Fact]
    public async Task HolderDiesAfterClaimingTheAgentSet_SentAgainThroughTheNewHolder()
    {
        var (sender, holder, next) = (await StartAsync("s"), await StartAsync("h"), await StartAsync("h2"));
        await holder.Router.AttachedAsync(_node, 1, CancellationToken.None);
        var apply = new NodeCommand { Id = "apply-1", ApplyAgents = new ApplyAgentsCommand() };

        var send = sender.Router.SendElsewhereAsync(_node, apply, Timeout, CancellationToken.None);
        await ClaimNextAsync(holder);
        await next.Router.AttachedAsync(_node, 1, CancellationToken.None);
        await holder.Leases.StopAsync(CancellationToken.None);
        var again = await ClaimNextAsync(next);
        await next.Store.EndAsync(again.Id, CommandStates.Sent, CommandStates.Done, new CommandResult { CommandId = "apply-1", Ok = true }.ToByteArray(), null, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.True((await send).Ok);
        Assert.Equal(("apply-1.1", CommandKind.ApplyAgents), (again.Id, Kind(again)));
        Assert.Equal([("apply-1", CommandStates.Lost), ("apply-1.1", CommandStates.Done)], await RowsAsync(sender));
    }

    [Fact]
    public async Task HolderNoLongerHasTheSession_NeverSent_RoutedToTheNewHolder()
    {
        var (sender, holder, next) = (await StartAsync("s"), await StartAsync("h"), await StartAsync("h2"));
        await holder.Router.AttachedAsync(_node, 1, CancellationToken.None);
        var input = new NodeCommand { Id = "in-2", AgentInput = new AgentInputCommand { AgentId = "a", Data = ByteString.CopyFromUtf8("x") } };

        var send = sender.Router.SendElsewhereAsync(_node, input, Timeout, CancellationToken.None);
        var first = await PendingAsync(holder);
        await next.Router.AttachedAsync(_node, 2, CancellationToken.None);
        await holder.Store.EndAsync(first, CommandStates.Pending, CommandStates.Unroutable, null, "moved", DateTimeOffset.UtcNow, CancellationToken.None);
        var again = await ClaimNextAsync(next);
        await next.Store.EndAsync(again.Id, CommandStates.Sent, CommandStates.Done, new CommandResult { CommandId = "in-2", Ok = true }.ToByteArray(), null, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.True((await send).Ok);
        Assert.Equal([("in-2", CommandStates.Unroutable), ("in-2.1", CommandStates.Done)], await RowsAsync(sender));
    }

    [Fact]
    public async Task HolderRecordedButWithoutTheSession_AskedOnce_ThenNotConnected()
    {
        var (sender, holder) = (await StartAsync("s"), await StartAsync("h"));
        await holder.Router.AttachedAsync(_node, 3, CancellationToken.None);
        var input = new NodeCommand { Id = "in-3", AgentInput = new AgentInputCommand { AgentId = "a", Data = ByteString.CopyFromUtf8("x") } };

        var send = sender.Router.SendElsewhereAsync(_node, input, Timeout, CancellationToken.None);
        await holder.Store.EndAsync(await PendingAsync(holder), CommandStates.Pending, CommandStates.Unroutable, null, "gone", DateTimeOffset.UtcNow, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<SessionCommandException>(() => send);

        Assert.Equal($"node '{_node}' has no live session (it is not connected to hub '{holder.Id}', which last recorded it, or any other hub of the mesh)", refused.Message);
        Assert.Equal([("in-3", CommandStates.Unroutable)], await RowsAsync(sender));
    }

    [Fact]
    public async Task NotTakenInTime_SenderTakesItBack_HolderCannotClaimItLater()
    {
        var (sender, holder) = (await StartAsync("s"), await StartAsync("h"));
        await holder.Router.AttachedAsync(_node, 1, CancellationToken.None);

        var late = await Assert.ThrowsAsync<SessionCommandException>(() =>
            sender.Router.SendElsewhereAsync(_node, Ping("slow-1"), TimeSpan.FromSeconds(1), CancellationToken.None));
        var claim = await holder.Store.ClaimAsync("slow-1", holder.Id, CancellationToken.None);

        Assert.Equal($"node '{_node}' did not answer within 1 s (hub '{holder.Id}', which holds its session, did not take the command)", late.Message);
        Assert.Null(claim);
        Assert.Equal([("slow-1", CommandStates.Cancelled)], await RowsAsync(sender));
    }

    private enum CommandKind
    {
        Ping,
        ApplyAgents,
        Other,
    }

    private static CommandKind Kind(RoutedCommand command) => NodeCommand.Parser.ParseFrom(command.Payload).KindCase switch
    {
        NodeCommand.KindOneofCase.Ping => CommandKind.Ping,
        NodeCommand.KindOneofCase.ApplyAgents => CommandKind.ApplyAgents,
        _ => CommandKind.Other,
    };

    private static NodeCommand Ping(string? id = null) => new() { Id = id ?? Guid.NewGuid().ToString("N"), Ping = new PingCommand() };

    private static async Task<string> PendingAsync(RoutingHub holder) =>
        (await HubsOnPostgres.WaitForAsync(() => holder.Store.PendingForAsync(holder.Id, CancellationToken.None), ids => ids.Count > 0, $"a command for hub {holder.Id}"))[0];

    private static async Task<RoutedCommand> ClaimNextAsync(RoutingHub holder) =>
        await holder.Store.ClaimAsync(await PendingAsync(holder), holder.Id, CancellationToken.None) ?? throw new InvalidOperationException("claimed by someone else");

    private async Task<List<(string Id, string State)>> RowsAsync(RoutingHub hub)
    {
        await using var connection = await hub.Database.OpenAsync(CancellationToken.None);
        await using var read = connection.Command("SELECT id, state FROM node_commands WHERE node_id = @node ORDER BY created_at, id").With("node", _node);
        await using var reader = await read.ExecuteReaderAsync();
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), reader.GetString(1)));
        return rows;
    }

    private async Task<RoutingHub> StartAsync(string name)
    {
        var hub = await RoutingHub.StartAsync(await server.DatabaseAsync(nameof(CommandRoutingTests)), $"{name}-{Guid.NewGuid().ToString("N")[..8]}");
        _hubs.Add(hub);
        return hub;
    }

    /// <summary>One hub's share of routing: its bus, lease, store and router over its own connection pool.</summary>
    private sealed class RoutingHub : IAsyncDisposable
    {
        private RoutingHub(LocalHub local, PostgresDatabase database)
        {
            Id = local.Id;
            Database = database;
            Bus = new PostgresHubBus(database, TimeProvider.System, NullLogger<PostgresHubBus>.Instance);
            Leases = new PostgresHubLeases(local, database, Bus, TimeProvider.System, Options.Create(new ClusterOptions()), NullLogger<PostgresHubLeases>.Instance);
            Store = new RoutingStore(database, Bus);
            Router = new ClusterSessionRouter(Store, Bus, Leases, TimeProvider.System, NullLogger<ClusterSessionRouter>.Instance);
        }

        public string Id { get; }

        public PostgresDatabase Database { get; }

        public PostgresHubBus Bus { get; }

        public PostgresHubLeases Leases { get; }

        public RoutingStore Store { get; }

        public ClusterSessionRouter Router { get; }

        public static async Task<RoutingHub> StartAsync(Core.Configuration.PostgresStoreConfig settings, string id)
        {
            var database = new PostgresDatabase(settings, [new ClusterMigrations(), new RoutingMigrations()]);
            await database.MigrateAsync(CancellationToken.None);
            var hub = new RoutingHub(new LocalHub(id), database);
            await hub.Bus.StartAsync(CancellationToken.None);
            await hub.Leases.StartAsync(CancellationToken.None);
            await hub.Router.StartAsync(CancellationToken.None);
            return hub;
        }

        public async ValueTask DisposeAsync()
        {
            await Router.StopAsync(CancellationToken.None);
            await Leases.StopAsync(CancellationToken.None);
            await Bus.StopAsync(CancellationToken.None);
            Leases.Dispose();
            Bus.Dispose();
            await Database.DisposeAsync();
        }
    }
}
