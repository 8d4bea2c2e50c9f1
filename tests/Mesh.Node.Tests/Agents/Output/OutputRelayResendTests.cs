using System.Threading.Channels;
using Mesh.Core.Protocol;
using Mesh.Node.Agents.Output;
using Mesh.Node.Session;
using static Mesh.Node.Tests.Agents.AgentRuntime;

namespace Mesh.Node.Tests.Agents.Output;

/// <summary>
/// The relay when the hub lost output it had acknowledged (a real run and its real file; the hub's side played by the
/// test, which takes the relay's messages from its bulk lane and hands it acknowledgements): an ack with resend sends
/// the stream again from the hub's lower position — once, though several refusals say so — the lower position is
/// what agents.db keeps, and the next session starts by probing each acknowledged position with an empty chunk.
/// </summary>
public sealed class OutputRelayResendTests
{
    private const int Bytes = 100_000;

    [Fact]
    public async Task Resend_goes_back_to_the_hubs_position_once_keeps_it_and_the_next_session_probes_there()
    {
        await using var node = new AgentRuntime();
        node.Apply([Spec("w", "sh", "-c", $"head -c {Bytes} /dev/zero | tr '\\0' x; exec sleep 1000")]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (node.Supervisor.Inventory.Count == 0
               || new RunFolder(Path.Combine(node.Options.RunsRoot, node.Supervisor.Inventory[0].RunId)).Size(RunFolder.StdoutFile) < Bytes)
        {
            Assert.True(DateTime.UtcNow < deadline, "the run did not write its output");
            await Task.Delay(50);
        }

        var runId = node.Supervisor.Inventory[0].RunId;
        var relay = new OutputRelay(node.Store, node.Supervisor, node.Options, TimeProvider.System);

        // Session 1: all of it is sent and acknowledged; then the hub says it has only the first 40,000 bytes, twice
        // (two chunks already on their way refused): the stream goes back there once.
        var (chunks, session) = Start(relay);
        Assert.Equal(Bytes, await SentUpToAsync(chunks, runId, 0, Bytes));
        Ack(relay, runId, Bytes, resend: false);
        Ack(relay, runId, 40_000, resend: true);
        Ack(relay, runId, 40_000, resend: true);
        Assert.Equal(Bytes, await SentUpToAsync(chunks, runId, 40_000, Bytes));
        await session.StopAsync();
        Assert.Single(session.All, c => c.RunId == runId && c.Stream == "stdout" && c.Position == 40_000);
        Assert.Equal((40_000L, false), node.Store.OutputProgress()[(runId, "stdout")]);

        // Session 2 begins with a probe at the acknowledged position.
        var (_, next) = Start(relay);
        await WaitAsync(() => next.All.Count > 0);
        await next.StopAsync();
        var probe = next.All[0];
        Assert.Equal((runId, "stdout", 40_000L, 0, false), (probe.RunId, probe.Stream, probe.Position, probe.Data.Length, probe.Complete));
    }

    [Fact]
    public async Task A_stale_refusal_arriving_after_the_resend_does_not_send_the_stream_a_third_time()
    {
        await using var node = new AgentRuntime();
        using var flagDir = new Mesh.Core.Tests.TempDirectory();
        var flag = Path.Combine(flagDir.Path, "more");
        // The run writes its output, then one more line once the test creates the flag: the relay's next turn after that.
        node.Apply([Spec("w", "sh", "-c", $"head -c {Bytes} /dev/zero | tr '\\0' x; while [ ! -e '{flag}' ]; do sleep 0.05; done; echo more; exec sleep 1000")]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (node.Supervisor.Inventory.Count == 0
               || new RunFolder(Path.Combine(node.Options.RunsRoot, node.Supervisor.Inventory[0].RunId)).Size(RunFolder.StdoutFile) < Bytes)
        {
            Assert.True(DateTime.UtcNow < deadline, "the run did not write its output");
            await Task.Delay(50);
        }

        var runId = node.Supervisor.Inventory[0].RunId;
        var relay = new OutputRelay(node.Store, node.Supervisor, node.Options, TimeProvider.System);
        var (chunks, session) = Start(relay);
        Assert.Equal(Bytes, await SentUpToAsync(chunks, runId, 0, Bytes));
        Ack(relay, runId, 40_000, resend: true);
        Assert.Equal(Bytes, await SentUpToAsync(chunks, runId, 40_000, Bytes));

        // The refusal of a chunk that was on its way before the resend says 40,000 again: the stream is already there.
        Ack(relay, runId, 40_000, resend: true);
        File.WriteAllText(flag, "");
        // A rewind queued by that refusal is taken at the start of the relay's next turn, before it reads the new line;
        // going back again would send from 40,000 instead of the new line alone at the end.
        Assert.Equal(Bytes + 5, await SentUpToAsync(chunks, runId, Bytes, Bytes + 5));
        await session.StopAsync();
        Assert.Single(session.All, c => c.RunId == runId && c.Stream == "stdout" && c.Position == 40_000 && c.Data.Length > 0);
    }

    private static void Ack(OutputRelay relay, string runId, long position, bool resend)
    {
        var acks = new OutputAcks();
        acks.Acks.Add(new OutputAck { RunId = runId, Stream = "stdout", Position = position, Resend = resend });
        Assert.True(relay.TryHandle(new HubMessage { OutputAcks = acks }));
    }

    /// <summary>Reads chunks of the run's stdout until one ends at <paramref name="end"/>; they must run on from <paramref name="from"/>.</summary>
    private static async Task<long> SentUpToAsync(ChannelReader<OutputChunk> chunks, string runId, long from, long end)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var position = from;
        while (position < end)
        {
            var chunk = await chunks.ReadAsync(timeout.Token);
            if (chunk.RunId != runId || chunk.Stream != "stdout" || chunk.Data.Length == 0)
                continue;
            Assert.Equal(position, chunk.Position);
            position += chunk.Data.Length;
        }

        return position;
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met");
            await Task.Delay(20);
        }
    }

    private static (ChannelReader<OutputChunk> Chunks, Session Session) Start(OutputRelay relay)
    {
        var channel = Channel.CreateUnbounded<OutputChunk>();
        var session = new Session();
        var lanes = new SessionLanes((_, _) => ValueTask.CompletedTask, (message, _) =>
        {
            foreach (var chunk in message.Output.Chunks)
            {
                lock (session.All)
                    session.All.Add(chunk);
                channel.Writer.TryWrite(chunk);
            }

            return ValueTask.CompletedTask;
        });
        session.Running = relay.RunAsync(lanes, session.Stop.Token);
        return (channel.Reader, session);
    }

    private sealed class Session
    {
        public List<OutputChunk> All { get; } = [];

        public CancellationTokenSource Stop { get; } = new();

        public Task Running { get; set; } = Task.CompletedTask;

        public async Task StopAsync()
        {
            await Stop.CancelAsync();
            try
            {
                await Running;
            }
            catch (OperationCanceledException)
            {
                // the pause between polls was cut short
            }

            Stop.Dispose();
        }
    }
}
