using Mesh.Core.Protocol;
using Mesh.Node.Agents.Output;
using Mesh.Node.Session;
using static Mesh.Node.Tests.Agents.AgentRuntime;

namespace Mesh.Node.Tests.Agents.Output;

/// <summary>
/// How the relay fills its bulk messages when many runs have output waiting (real runs, their real files): every run
/// gets its turn early — none waits for the others' windows to fill — and one stream sends several chunks per message
/// rather than one per pause, which capped a run at 64 KiB per 50 ms (about 1.3 MB/s). No hub: the messages are
/// taken from the bulk lane as they are handed to it, and none is acknowledged, so each stream stops at its window.
/// </summary>
public sealed class OutputRelayBatchingTests
{
    private const int Runs = 8;
    private const int Bytes = 1 << 20; // exactly the window: each stream sends all of it, then waits for an ack

    [Fact]
    public async Task Every_run_is_served_within_the_first_round_and_a_stream_sends_several_chunks_per_message()
    {
        await using var node = new AgentRuntime();
        node.Apply([.. Enumerable.Range(0, Runs).Select(i => Spec($"w{i}", "sh", "-c", $"head -c {Bytes} /dev/zero | tr '\\0' x; exec sleep 1000"))]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (node.Supervisor.Inventory.Count < Runs
               || node.Supervisor.Inventory.Any(r => new RunFolder(Path.Combine(node.Options.RunsRoot, r.RunId)).Size(RunFolder.StdoutFile) < Bytes))
        {
            Assert.True(DateTime.UtcNow < deadline, "the runs did not write their output");
            await Task.Delay(50);
        }

        var relay = new OutputRelay(node.Store, node.Supervisor, node.Options, TimeProvider.System);
        var messages = new List<OutputChunks>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var lanes = new SessionLanes((_, _) => ValueTask.CompletedTask, (message, _) =>
        {
            lock (messages)
            {
                messages.Add(message.Output);
                if (messages.Sum(m => m.Chunks.Sum(c => c.Data.Length)) >= Runs * Bytes)
                    stop.Cancel();
            }

            return ValueTask.CompletedTask;
        });
        try
        {
            await relay.RunAsync(lanes, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // the pause between polls was cut short
        }

        var runIds = node.Supervisor.Inventory.Select(r => r.RunId).ToHashSet();
        Assert.Equal(Runs * Bytes, messages.Sum(m => m.Chunks.Sum(c => c.Data.Length)));
        // Fairness: within the first Runs messages every run has sent something.
        Assert.Equal(runIds, messages.Take(Runs).SelectMany(m => m.Chunks).Select(c => c.RunId).ToHashSet());
        // Throughput per stream: a message carries several chunks of one stream.
        Assert.Contains(messages, m => m.Chunks.GroupBy(c => (c.RunId, c.Stream)).Any(g => g.Count() > 1));
        // And each stream's bytes arrive once, in order, from position 0.
        foreach (var run in runIds)
        {
            var chunks = messages.SelectMany(m => m.Chunks).Where(c => c.RunId == run && c.Stream == "stdout").ToList();
            var position = 0L;
            foreach (var chunk in chunks)
            {
                Assert.Equal(position, chunk.Position);
                position += chunk.Data.Length;
            }

            Assert.Equal(Bytes, position);
        }
    }
}
