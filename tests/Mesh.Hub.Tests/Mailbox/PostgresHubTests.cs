using System.Globalization;
using System.Text.Json;
using Mesh.ActorCli.Tests.Support;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Mailbox.Support;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Mailbox;

/// <summary>
/// The real mesh binary as a hub with [store] kind = "postgres" on the test's real PostgreSQL server, driven by the
/// real actor binary: send, inbox, watch and ack go through PostgreSQL, and survive a hub restart.
/// </summary>
[Collection(PostgresServer.Collection)]
public sealed class PostgresHubTests(PostgresServer server)
{
    [Fact]
    public async Task Hub_OnPostgres_SendInboxWatchAck_ThroughTheActorCli_AndKeptAcrossARestart()
    {
        var settings = await server.DatabaseAsync("postgres_hub");
        using var dir = new Core.Tests.TempDirectory();
        var passwordFile = dir.Write("pg-password", server.Password);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var hub = await MailboxTestHub.StartAsync($"""
            [store]
            kind = "postgres"
            url = "postgres://{settings.Username}@127.0.0.1:{settings.Port}/{settings.Database}"
            password_file = "{passwordFile}"
            """, dir);
        await hub.CreateActorAsync("pg-a");
        await hub.CreateActorAsync("pg-b");
        Dictionary<string, string?> As(string actor) => new()
        {
            ["MESH_GRPC_TARGET"] = hub.GrpcUrl.ToString(),
            ["MESH_CA_FILE"] = hub.CaPath,
            ["MESH_ACTOR_TOKEN"] = hub.ActorToken(actor),
        };

        var sent = await RunAsync(As("pg-a"), "--json", "send", "--to-actor-id", "pg-b", "--text", "hello over postgres", "--idempotency-key", "pg-1");
        var again = await RunAsync(As("pg-a"), "--json", "send", "--to-actor-id", "pg-b", "--text", "hello over postgres", "--idempotency-key", "pg-1");
        var inbox = (await RunAsync(As("pg-b"), "--json", "inbox")).Json;
        await using (var watcher = ActorProcess.Start(["--json", "inbox", "--watch"], As("pg-b")))
        {
            await watcher.WaitForOutputLinesAsync(1, TimeSpan.FromSeconds(30));
            await RunAsync(As("pg-a"), "send", "--to-actor-id", "pg-b", "--text", "seen live");
            await watcher.WaitForOutputLinesAsync(2, TimeSpan.FromSeconds(30));
            Assert.Equal(["hello over postgres", "seen live"], watcher.OutputLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("payload").GetString()));
        }

        var id = sent.Json.GetProperty("message_id").GetUInt64();
        var ack = await RunAsync(As("pg-b"), "--json", "ack", "--message-id", id.ToString(CultureInfo.InvariantCulture));
        await hub.RestartAsync();
        var after = (await RunAsync(As("pg-b"), "--json", "inbox", "--include-delivered")).Json;

        Assert.Equal(id, again.Json.GetProperty("message_id").GetUInt64());
        Assert.Equal((1, "hello over postgres", id), (inbox.GetProperty("pending_count").GetInt32(), inbox.GetProperty("messages")[0].GetProperty("payload").GetString(),
            inbox.GetProperty("messages")[0].GetProperty("id").GetUInt64()));
        Assert.Equal("delivered", ack.Json.GetProperty("status").GetString());
        Assert.Equal(["delivered", "pending"], after.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("status").GetString()));
        Assert.Equal(1, after.GetProperty("pending_count").GetInt32());
        Assert.True(Directory.Exists(hub.Config.Server.DataDir), hub.Config.Server.DataDir);
        Assert.False(File.Exists(Path.Combine(hub.Config.Server.DataDir, "mesh.db")), "a hub on PostgreSQL keeps no SQLite database");
        await using (var database = new PostgresDatabase(settings, []))
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        await using (var rows = connection.Command("SELECT count(*) FROM mailbox_messages WHERE to_actor = 'pg-b'"))
            Assert.Equal(2L, await rows.ExecuteScalarAsync());
        Assert.DoesNotContain(server.Password, hub.StandardOutput, StringComparison.Ordinal);
    }

    private static async Task<ActorRun> RunAsync(IDictionary<string, string?> environment, params string[] args)
    {
        var run = await ActorProcess.RunAsync(args, environment);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }
}
