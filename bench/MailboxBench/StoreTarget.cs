using System.Diagnostics;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.MailboxBench;

/// <summary>
/// The mailbox store in this process, no network: how many durable sends per second the writer gives — SQLite with
/// group commit, or PostgreSQL batching by transaction.
/// </summary>
internal static class StoreTarget
{
    public static async Task<RunResult> SendAsync(int messages, int concurrency)
    {
        var dir = Directory.CreateTempSubdirectory("mesh-store-bench-").FullName;
        try
        {
            return await SendAsync(new HubDatabase(Path.Combine(dir, "mesh.db"), [new MailboxMigrations()]), "Mesh store only (in-process, SQLite)", messages, concurrency);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The same on PostgreSQL database <paramref name="database"/> (created and empty).</summary>
    public static async Task<RunResult> SendAsync(Mesh.Bench.PostgresInstance server, string database, int messages, int concurrency)
    {
        var config = new Core.Configuration.PostgresStoreConfig("127.0.0.1", server.Port, database, Mesh.Bench.PostgresInstance.User, null,
            new Core.Configuration.Secret(server.Password), 20, TimeSpan.FromSeconds(30));
        await using var postgres = new PostgresDatabase(config, [new MailboxMigrations()]);
        return await RunResult.WithServerCpuAsync(() => Mesh.Bench.ProcessTreeCpu.Read(server.PostmasterPid),
            () => SendAsync(postgres, "Mesh store only (in-process, PostgreSQL)", messages, concurrency));
    }

    private static async Task<RunResult> SendAsync(IHubDatabase database, string label, int messages, int concurrency)
    {
        await database.MigrateAsync(CancellationToken.None);
        await using var mailbox = new MailboxDatabase(database, new MailboxOptions(), TimeProvider.System, [], [], NullLogger<MailboxDatabase>.Instance);
        await mailbox.StartAsync(CancellationToken.None);
        await new ActorStore(mailbox).CreateActorAsync(new ActorRecord("rx", "rx", null, "worker", ActorPlacement.Hub, DateTimeOffset.UtcNow), CancellationToken.None);
        var store = new MessageStore(mailbox);
        var latencies = new double[messages];
        var start = Stopwatch.GetTimestamp();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int seq;
            while ((seq = Interlocked.Increment(ref next)) < messages)
            {
                var began = Stopwatch.GetTimestamp();
                await store.SendAsync(new NewMessage("tx", ["rx"], null, null, "default", Payload.Create(seq), PayloadKind.Text, "k" + seq), CancellationToken.None);
                latencies[seq] = Stopwatch.GetElapsedTime(began).TotalMilliseconds;
            }
        })));
        return new RunResult(label, $"{concurrency} concurrent sends", messages, Stopwatch.GetElapsedTime(start), latencies);
    }
}
