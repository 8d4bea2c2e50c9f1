using System.Text.Json;
using Grpc.Core;
using Mesh.ActorCli.Tests.Support;
using Mesh.Core.Protocol;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Mailbox.Support;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Mailbox;

/// <summary>
/// Two real hub processes on one PostgreSQL database with one CA (a shared cert_dir): a message sent through either
/// reaches a live watcher on the other (the real actor CLI's watch, and a raw gRPC Watch), woken through the cluster bus.
/// </summary>
[Collection(PostgresServer.Collection)]
public sealed class TwoHubsWatchTests(PostgresServer server) : IDisposable
{
    private readonly TempDirectory _dirA = new();
    private readonly TempDirectory _dirB = new();

    public void Dispose()
    {
        _dirA.Dispose();
        _dirB.Dispose();
    }

    [Fact]
    public async Task Watch_OnHubB_SeesMessagesSentThroughHubA_AndTheOtherWayRound()
    {
        var settings = await server.DatabaseAsync("two_hubs_watch");
        await using var hubA = await MailboxTestHub.StartAsync(server.HubStoreToml(settings, _dirA), _dirA);
        await hubA.CreateActorAsync("w-sender");
        await hubA.CreateActorAsync("w-reader");
        // Started after the actors exist: a hub loads its actor directory when it starts.
        await using var hubB = await MailboxTestHub.StartAsync(server.HubStoreToml(settings, _dirB), _dirB, certDir: Path.Combine(_dirA.Path, "hub-certs"));
        Dictionary<string, string?> On(MailboxTestHub hub, string actor) => new()
        {
            ["MESH_GRPC_TARGET"] = hub.GrpcUrl.ToString(),
            ["MESH_CA_FILE"] = hub.CaPath,
            ["MESH_ACTOR_TOKEN"] = hub.ActorToken(actor),
        };

        await using (var watcher = ActorProcess.Start(["--json", "inbox", "--watch"], On(hubB, "w-reader")))
        {
            await Send(On(hubA, "w-sender"), "first through A");
            await watcher.WaitForOutputLinesAsync(1, TimeSpan.FromSeconds(30));
            await Send(On(hubA, "w-sender"), "second through A");
            await Send(On(hubB, "w-sender"), "third through B");
            await watcher.WaitForOutputLinesAsync(3, TimeSpan.FromSeconds(30));

            Assert.Equal(["first through A", "second through A", "third through B"],
                watcher.OutputLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("payload").GetString()));
        }

        // A gRPC Watch on hub A, live before the send through hub B.
        using var channel = hubA.Channel();
        using var watch = channel.Mailbox().Watch(new WatchRequest { AfterId = 3 }, MailboxTestHub.Bearer(hubA.ActorToken("w-reader"), TimeSpan.FromSeconds(60)));
        await watch.ResponseHeadersAsync;
        await Send(On(hubB, "w-sender"), "fourth through B");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.True(await watch.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal(("fourth through B", 4UL), (watch.ResponseStream.Current.Payload, watch.ResponseStream.Current.Id));
    }

    private static async Task Send(Dictionary<string, string?> environment, string text)
    {
        var run = await ActorProcess.RunAsync(["send", "--to-actor-id", "w-reader", "--text", text], environment);
        Assert.True(run.ExitCode == 0, run.ToString());
    }
}
