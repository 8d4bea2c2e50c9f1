using System.Net;
using System.Net.Http.Json;
using Grpc.Core;
using Grpc.Health.V1;
using Mesh.Core.Protocol;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Mailbox.Support;
using Mesh.Hub.Tests.Support;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Mesh.Hub.Tests.Health;

/// <summary>
/// The real mesh binary on a PostgreSQL server of this test's own, which the test crashes (pg_ctl stop -m immediate)
/// and starts again on the same port and data: the hub reports NOT_SERVING and refuses calls with UNAVAILABLE / 503
/// while it is gone, serves again without a restart, and every message it acknowledged is still there.
/// </summary>
[Collection(PostgresServer.Collection)]
public sealed class PostgresLostTests : IAsyncLifetime
{
    private readonly PostgresServer _server = new() { Durable = true };
    private readonly TempDirectory _dir = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Hub_PostgresLostWhileRunning_NotServingAndUnavailable_RecoversWithoutRestart_LosesNothingAcknowledged()
    {
        var settings = await _server.DatabaseAsync("lost_store");
        await using var hub = await MailboxTestHub.StartAsync(_server.HubStoreToml(settings, _dir), _dir);
        await hub.CreateActorAsync("lost-a");
        await hub.CreateActorAsync("lost-b");
        using var channel = hub.Channel();
        var mailbox = channel.Mailbox();
        var health = new Grpc.Health.V1.Health.HealthClient(channel);
        var token = MailboxTestHub.Bearer(hub.ActorToken("lost-a"), TimeSpan.FromSeconds(20));
        var acknowledged = new List<ulong>();
        for (var i = 0; i < 20; i++)
            acknowledged.Add((await mailbox.SendAsync(new SendRequest { ToActorId = "lost-b", Payload = "before " + i, IdempotencyKey = "before-" + i }, token)).MessageId);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest(), GrpcTestClients.WithTimeout(TimeSpan.FromSeconds(10)))).Status);
        Assert.Equal(HttpStatusCode.OK, (await hub.Admin.GetAsync(new Uri(hub.WebUrl, "/readyz"))).StatusCode);

        await _server.StopAsync();
        // A call notices at once; the probe notices within 2 s without one.
        await WaitAsync(async () => (await health.CheckAsync(new HealthCheckRequest(), GrpcTestClients.WithTimeout(TimeSpan.FromSeconds(10)))).Status == ServingStatus.NotServing, "NOT_SERVING");
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await mailbox.SendAsync(new SendRequest { ToActorId = "lost-b", Payload = "while down", IdempotencyKey = "down-1" }, token));
        var ready = await hub.Admin.GetAsync(new Uri(hub.WebUrl, "/readyz"));
        var created = await hub.Admin.PostAsJsonAsync(new Uri(hub.WebUrl, "/api/admin/actors"), new { id = "lost-c" });
        var createdBody = await created.Content.ReadAsStringAsync();

        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.StartsWith($"the hub cannot reach its store (postgres://mesh@127.0.0.1:{_server.Port}/lost_store: cannot connect: connection refused); the request was not completed. Retry shortly", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("not ready: the store is unavailable: cannot connect: connection refused\n", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, created.StatusCode);
        Assert.Contains("the hub cannot reach its store", createdBody, StringComparison.Ordinal);
        Assert.Equal("5", created.Headers.RetryAfter?.ToString());

        await _server.StartAsync();
        await WaitAsync(async () => (await health.CheckAsync(new HealthCheckRequest(), GrpcTestClients.WithTimeout(TimeSpan.FromSeconds(10)))).Status == ServingStatus.Serving, "SERVING again");
        var after = await mailbox.SendAsync(new SendRequest { ToActorId = "lost-b", Payload = "after", IdempotencyKey = "after-1" }, token);
        acknowledged.Add(after.MessageId);
        var inbox = await mailbox.InboxAsync(new InboxRequest { Limit = 100 }, MailboxTestHub.Bearer(hub.ActorToken("lost-b"), TimeSpan.FromSeconds(20)));

        Assert.Equal(acknowledged, inbox.Messages.Select(m => m.Id));
        Assert.Equal([.. Enumerable.Range(0, 20).Select(i => "before " + i), "after"], inbox.Messages.Select(m => m.Payload));
        Assert.Equal(HttpStatusCode.OK, (await hub.Admin.GetAsync(new Uri(hub.WebUrl, "/readyz"))).StatusCode);
        Assert.Contains("The store postgres://mesh@", hub.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("answers again: the hub serves", hub.StandardOutput, StringComparison.Ordinal);
        // A lost store is reported, not logged as a failure of the hub (no Error lines, no stack traces).
        Assert.DoesNotContain(" fail: ", hub.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("does not retry at start-up", hub.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(_server.Password, hub.StandardOutput, StringComparison.Ordinal);
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException(what + " not reached within 30 s");
            await Task.Delay(200);
        }
    }
}
