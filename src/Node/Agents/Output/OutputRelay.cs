using System.Collections.Concurrent;
using Google.Protobuf;
using Mesh.Core.Protocol;
using Mesh.Node.Agents.State;
using Mesh.Node.Session;

namespace Mesh.Node.Agents.Output;

/// <summary>
/// Relays every run's output to the hub on the session's bulk lane: chunks of up to 64 KiB at their stream positions,
/// a few of them per message, at most <see cref="Window"/> bytes per stream ahead of what the hub acknowledged. The
/// acknowledged positions are kept in agents.db (at most once per <see cref="SaveInterval"/>, not per ack: after a
/// crash the node resends a second's worth, which the hub skips), so after a reconnect or a node restart the relay
/// resumes there; a run that ended while the hub was away arrives complete. Output the node dropped (its per-run
/// limit) is skipped with the position before which it is gone.
/// <para>
/// When the hub has lost output it had acknowledged (restored from an older backup, files deleted, a crash before it
/// saved), it answers with its lower end and <c>resend</c>: the relay goes back there and resends what it still has,
/// or says up to where it dropped the rest. At the start of each session every stream the hub acknowledged is probed
/// with an empty chunk at that position, so finished runs and quiet live ones are checked too.
/// </para>
/// </summary>
internal sealed class OutputRelay(AgentStore store, AgentSupervisor supervisor, AgentRuntimeOptions options, TimeProvider time)
    : INodeSessionPart
{
    private const int ChunkBytes = 64 * 1024;
    private const int MessageBytes = 256 * 1024;
    private const int ProbesPerMessage = 512;
    internal const long Window = 1024 * 1024;
    internal static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private static readonly string[] Streams = [RunFolder.StdoutFile, RunFolder.StderrFile];
    private readonly Lock _gate = new();
    private Dictionary<(string Run, string Stream), (long Acked, bool Complete)>? _progress;
    private readonly HashSet<(string Run, string Stream)> _unsaved = [];
    private readonly Dictionary<(string Run, string Stream), long> _rewoundTo = [];
    private readonly ConcurrentQueue<((string Run, string Stream) Key, long Position)> _rewinds = new();
    private IReadOnlyList<Core.Protocol.AgentRun> _finished = [];
    private DateTimeOffset _finishedReadAt;

    public void AddToHello(NodeHello hello)
    {
    }

    public void AddToHeartbeat(NodeHeartbeat heartbeat)
    {
    }

    public async Task RunAsync(SessionLanes lanes, CancellationToken session)
    {
        lock (_gate)
        {
            _progress ??= store.OutputProgress(); // once per process: from then on memory is ahead of the file
            _rewoundTo.Clear();
        }

        _rewinds.Clear();
        var sent = new Dictionary<(string Run, string Stream), long>();
        var completeSent = new HashSet<(string Run, string Stream)>();
        var first = 0;
        var savedAt = time.GetTimestamp();
        using var timer = new PeriodicTimer(Poll, time);
        try
        {
            foreach (var probes in Probes().Chunk(ProbesPerMessage))
            {
                var message = new OutputChunks();
                message.Chunks.AddRange(probes);
                await lanes.SendBulkAsync(new NodeMessage { Output = message }, session);
            }

            while (!session.IsCancellationRequested)
            {
                while (_rewinds.TryDequeue(out var rewind))
                {
                    sent[rewind.Key] = rewind.Position;
                    completeSent.Remove(rewind.Key);
                }

                if (time.GetElapsedTime(savedAt) >= SaveInterval)
                {
                    SaveProgress();
                    savedAt = time.GetTimestamp();
                }

                // Each message starts one run further on, so under load every run gets its turn; each stream sends as
                // much as it has (up to the message's size and its window), not one chunk per pause.
                var runs = Runs().ToList();
                var message = new OutputChunks();
                var bytes = 0;
                for (var k = 0; k < runs.Count && bytes < MessageBytes; k++)
                {
                    var (runId, agentId, ended) = runs[(first + k) % runs.Count];
                    var folder = new RunFolder(Path.Combine(options.RunsRoot, runId));
                    foreach (var stream in Streams)
                    {
                        while (bytes < MessageBytes && NextChunk(folder, runId, agentId, stream, ended, sent, completeSent) is { } chunk)
                        {
                            message.Chunks.Add(chunk);
                            bytes += chunk.Data.Length;
                            sent[(runId, stream)] = chunk.Position + chunk.Data.Length;
                            if (chunk.Complete)
                                completeSent.Add((runId, stream));
                            if (chunk.Complete || chunk.Data.Length < ChunkBytes)
                                break; // the end of what the file has now
                        }
                    }
                }

                first = runs.Count == 0 ? 0 : (first + 1) % runs.Count;
                if (message.Chunks.Count > 0)
                {
                    await lanes.SendBulkAsync(new NodeMessage { Output = message }, session);
                    if (bytes >= MessageBytes)
                        continue; // more is waiting: no pause
                }

                await timer.WaitForNextTickAsync(session);
            }
        }
        finally
        {
            SaveProgress();
        }
    }

    public bool TryHandle(HubMessage message)
    {
        if (message.BodyCase != HubMessage.BodyOneofCase.OutputAcks)
            return false;
        lock (_gate)
        {
            _progress ??= store.OutputProgress();
            foreach (var ack in message.OutputAcks.Acks)
            {
                var key = (ack.RunId, ack.Stream);
                var current = _progress.GetValueOrDefault(key);
                if (ack.Resend)
                {
                    // Refusals of the chunks already on their way say the same position again: go back there once.
                    if (_rewoundTo.TryGetValue(key, out var rewound) && rewound == ack.Position)
                        continue;
                    _rewoundTo[key] = ack.Position;
                    _progress[key] = (ack.Position, false);
                    _rewinds.Enqueue((key, ack.Position));
                }
                else
                {
                    if (_rewoundTo.TryGetValue(key, out var rewound) && ack.Position > rewound)
                        _rewoundTo.Remove(key);
                    _progress[key] = (Math.Max(current.Acked, ack.Position), current.Complete || ack.Complete);
                }

                _unsaved.Add(key);
            }
        }

        return true;
    }

    /// <summary>Writes the positions acknowledged since the last save to agents.db, in one transaction.</summary>
    private void SaveProgress()
    {
        List<(string Run, string Stream, long Acked, bool Complete)> changed;
        lock (_gate)
        {
            if (_progress is null || _unsaved.Count == 0)
                return;
            changed = [.. _unsaved.Select(k => (k.Run, k.Stream, _progress[k].Acked, _progress[k].Complete))];
            _unsaved.Clear();
        }

        store.SaveOutputProgress(changed);
    }

    /// <summary>An empty chunk at each acknowledged position of the runs the node still has, to learn whether the hub does too.</summary>
    private List<OutputChunk> Probes()
    {
        var runs = supervisor.Inventory.Select(r => (r.RunId, AgentId: r.ActorId))
            .Concat(store.FinishedRuns().Select(r => (r.RunId, r.AgentId)))
            .Where(r => Directory.Exists(Path.Combine(options.RunsRoot, r.RunId)));
        var probes = new List<OutputChunk>();
        lock (_gate)
        {
            foreach (var (runId, agentId) in runs)
            {
                foreach (var stream in Streams)
                {
                    var progress = _progress!.GetValueOrDefault((runId, stream));
                    if (progress.Acked > 0 || progress.Complete)
                        probes.Add(new OutputChunk { RunId = runId, AgentId = agentId, Stream = stream, Position = progress.Acked, Complete = progress.Complete });
                }
            }
        }

        return probes;
    }

    /// <summary>The next chunk of one stream, or null when there is nothing (or the window is full).</summary>
    private OutputChunk? NextChunk(RunFolder folder, string runId, string agentId, string stream, bool ended,
        Dictionary<(string, string), long> sent, HashSet<(string, string)> completeSent)
    {
        (long Acked, bool Complete) progress;
        lock (_gate)
            progress = _progress!.GetValueOrDefault((runId, stream));
        if (progress.Complete)
            return null;
        var size = folder.Size(stream);
        var dropped = folder.DroppedBefore(stream);
        var from = Math.Max(Math.Max(sent.GetValueOrDefault((runId, stream)), progress.Acked), dropped);
        // The window starts at what the hub has or what the node no longer has: output dropped beyond the hub's
        // position (while it was away, or after it lost output) must not hold the rest back for good.
        if (from - Math.Max(progress.Acked, dropped) >= Window)
            return null;
        if (from >= size)
        {
            // An ended run's stream, all of it sent: say so once (an empty chunk), so the hub knows it is complete.
            return ended && !completeSent.Contains((runId, stream))
                ? new OutputChunk { RunId = runId, AgentId = agentId, Stream = stream, Position = size, DroppedBefore = dropped, Complete = true }
                : null;
        }

        var length = (int)Math.Min(ChunkBytes, size - from);
        var data = new byte[length];
        using (var file = new FileStream(Path.Combine(folder.Path, stream), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            file.Position = from;
            length = file.Read(data, 0, length);
        }

        // Output dropped while it was read may be a hole's zeros: leave it to the next round, which starts past it.
        if (folder.DroppedBefore(stream) > from)
            return null;

        return new OutputChunk
        {
            RunId = runId,
            AgentId = agentId,
            Stream = stream,
            Position = from,
            Data = ByteString.CopyFrom(data, 0, length),
            DroppedBefore = dropped > progress.Acked ? dropped : 0,
            Complete = ended && from + length == size,
        };
    }

    /// <summary>The runs whose output may still need relaying: the live ones, and ended ones not yet complete on the hub.</summary>
    private IEnumerable<(string RunId, string AgentId, bool Ended)> Runs()
    {
        foreach (var live in supervisor.Inventory)
            yield return (live.RunId, live.ActorId, false);
        var now = time.GetUtcNow();
        if (now - _finishedReadAt >= TimeSpan.FromSeconds(1))
        {
            _finished = store.FinishedRuns();
            _finishedReadAt = now;
        }

        foreach (var run in _finished)
        {
            bool done;
            lock (_gate)
                done = Streams.All(s => _progress!.GetValueOrDefault((run.RunId, s)).Complete);
            if (!done && Directory.Exists(Path.Combine(options.RunsRoot, run.RunId)))
                yield return (run.RunId, run.AgentId, true);
        }
    }
}
