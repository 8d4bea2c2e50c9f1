using System.Diagnostics;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.MailboxBench;

/// <summary>The SQLite mailbox store in this process, no network: how many durable sends per second group commit gives.</summary>
internal static class StoreTarget
{
    public static async Task<RunResult> SendAsync(int messages, int concurrency)
    {
        var dir = Directory.CreateTempSubdirectory("mesh-store-bench-").FullName;
        try
        {
            var database = new HubDatabase(Path.Combine(dir, "mesh.db"), [new MailboxMigrations()]);
            await database.MigrateAsync(CancellationToken.None);
            var options = new MailboxOptions();
            var mailbox = new MailboxDatabase(database, options, TimeProvider.System, [], NullLogger<MailboxDatabase>.Instance);
            await using (mailbox)
            {
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
                return new RunResult("Mesh store only (in-process, durable send)", $"{concurrency} concurrent sends", messages, Stopwatch.GetElapsedTime(start), latencies);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
