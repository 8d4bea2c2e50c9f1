using System.Collections.Concurrent;
using System.Text.Json;
using Mesh.Core.Configuration;

namespace Mesh.Hub.Agents.Output;

/// <summary>One stream of one run as the hub holds it: its end, what is gone before where, and whether it is complete.</summary>
public sealed record OutputState(string AgentId, long End, long DroppedBefore, bool Complete);

/// <summary>A slice read back: bytes [Start, Start + Data.Length) of the stream.</summary>
public sealed record OutputSlice(byte[] Data, long Start, OutputState State);

/// <summary>
/// What became of a chunk: the stream's state after it, or why it was refused; <see cref="Resend"/> when the hub's
/// copy ends before the chunk starts (it lost output it had acknowledged, or never had it), so the node must resend
/// from <see cref="OutputState.End"/>.
/// </summary>
public sealed record OutputAppend(OutputState? State, string? Refusal, bool Resend = false);

/// <summary>
/// Runs' output on the hub's disk: data_dir/output/RUN/STREAM, written at each byte's stream position (so a file
/// offset is a position, and a range the node dropped is a hole), with STREAM.json beside it (end, dropped-before,
/// complete). At most [hub] output_limit_per_run bytes of a stream stay (older ones are punched out and reported
/// dropped), and at most output_limit_total bytes of all streams together (see OutputFiles.Total.cs). Writes of one
/// stream are serialized; reads run beside them.
/// <para>
/// The state in memory is the truth; STREAM.json is written at once when output is dropped or the stream completes,
/// and otherwise at most once per <see cref="SaveInterval"/> (<see cref="SaveChangedAsync"/>, and at shutdown) — not
/// per chunk: that write and rename was most of the hub's cost per MB. Neither file is fsynced: after a crash the
/// state may end before what the hub acknowledged, and the node, told the lower end, resends from there.
/// </para>
/// </summary>
public sealed partial class OutputFiles
{
    /// <summary>How long a stream's grown end may stay unsaved.</summary>
    public static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(1);

    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<OutputState> Json = OutputJson.Default.OutputState;
    private readonly string _root;
    private readonly HubOutputConfig _limits;
    private readonly ILogger<OutputFiles> _logger;
    private readonly ConcurrentDictionary<(string Run, string Stream), OutputState> _states = new();
    private readonly ConcurrentDictionary<(string Run, string Stream), bool> _unsaved = new();
    private readonly ConcurrentDictionary<(string Run, string Stream), SemaphoreSlim> _gates = new();

    public OutputFiles(string root, HubOutputConfig limits, ILogger<OutputFiles> logger)
    {
        _root = root;
        _limits = limits;
        _logger = logger;
        LoadKept();
    }

    public OutputState? State(string runId, string stream)
    {
        if (_states.TryGetValue((runId, stream), out var state))
            return state;
        var meta = MetaPath(runId, stream);
        if (!File.Exists(meta))
            return null;
        state = Checked(runId, stream, JsonSerializer.Deserialize(File.ReadAllText(meta), Json)!);
        return _states.GetOrAdd((runId, stream), state);
    }

    /// <summary>
    /// Appends what of <paramref name="parts"/> (back to back from <paramref name="position"/>) the hub does not have
    /// yet. A chunk may overlap the end (a resend); it may start beyond it only over output the node says it dropped.
    /// </summary>
    public async Task<OutputAppend> AppendAsync(string agentId, string runId, string stream, long position, IReadOnlyList<ReadOnlyMemory<byte>> parts,
        long nodeDroppedBefore, bool complete, CancellationToken cancellationToken)
    {
        var key = (runId, stream);
        var gate = _gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var state = State(runId, stream) ?? new OutputState(agentId, 0, 0, false);
            if (state.AgentId != agentId)
                return new OutputAppend(null, $"run {runId} belongs to agent {state.AgentId}");
            if (state.DroppedBefore < state.End && FileLength(runId, stream) < state.End)
                state = await LostAsync(runId, stream, state, cancellationToken);
            var length = parts.Sum(p => (long)p.Length);
            var dropped = state.DroppedBefore;
            var skip = 0L;
            if (position > state.End)
            {
                if (nodeDroppedBefore < position)
                    return new OutputAppend(state, $"{stream} of run {runId} skips from {state.End} to {position}", Resend: true);
                dropped = Math.Max(dropped, position);
            }
            else
            {
                skip = Math.Min(length, state.End - position); // stored already (a resend)
            }

            var from = position + skip;
            var end = Math.Max(state.End, position + length);
            if (length > skip)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(DataPath(runId, stream))!);
                using var file = File.OpenHandle(DataPath(runId, stream), FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
                await RandomAccess.WriteAsync(file, Skip(parts, skip), from, cancellationToken);
                if (end - dropped > _limits.LimitPerRun)
                {
                    var cut = (end - (_limits.LimitPerRun / 2)) & ~4095L;
                    if (PunchHole(file, cut))
                        dropped = cut;
                }
            }

            var next = new OutputState(agentId, end, dropped, state.Complete || (complete && position + length >= end));
            if (next != state)
            {
                Update(runId, stream, state, next);
                // What was dropped and a complete stream are saved at once: a reader must never be shown a hole as
                // output, and a complete stream is final. A grown end can wait (the node resends what a crash lost).
                if (next.DroppedBefore != state.DroppedBefore || next.Complete != state.Complete)
                    await WriteStateAsync(runId, stream, next, cancellationToken);
                else
                    _unsaved[key] = true;
            }
        }
        finally
        {
            gate.Release();
        }

        if (Volatile.Read(ref _kept) > _limits.LimitTotal)
            await KeepTotalAsync(cancellationToken);
        return new OutputAppend(State(runId, stream), null);
    }

    /// <summary>Writes the state of every stream that grew since it was last saved (each under its stream's gate).</summary>
    public async Task SaveChangedAsync(CancellationToken cancellationToken)
    {
        foreach (var key in _unsaved.Keys)
        {
            var gate = _gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(cancellationToken);
            try
            {
                if (_unsaved.TryRemove(key, out _) && _states.TryGetValue(key, out var state))
                    await WriteStateAsync(key.Run, key.Stream, state, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _unsaved[key] = true; // tried again next time
                OutputFilesLog.NotSaved(_logger, key.Run, key.Stream, ex.Message);
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private void Update(string runId, string stream, OutputState before, OutputState next)
    {
        _states[(runId, stream)] = next;
        Touch(runId, stream);
        Interlocked.Add(ref _kept, Kept(next) - Kept(before));
    }

    private async Task WriteStateAsync(string runId, string stream, OutputState state, CancellationToken cancellationToken)
    {
        _unsaved.TryRemove((runId, stream), out _);
        Directory.CreateDirectory(Path.GetDirectoryName(MetaPath(runId, stream))!);
        var temporary = MetaPath(runId, stream) + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(state, Json), cancellationToken);
        File.Move(temporary, MetaPath(runId, stream), overwrite: true);
    }

    private async Task SaveAsync(string runId, string stream, OutputState before, OutputState next, CancellationToken cancellationToken)
    {
        Update(runId, stream, before, next);
        await WriteStateAsync(runId, stream, next, cancellationToken);
    }

    /// <summary>
    /// The stream's file is shorter than its state says (deleted or truncated under the hub, or restored from an older
    /// backup): its end moves back to what the file has, so the node is asked to resend from there.
    /// </summary>
    private async Task<OutputState> LostAsync(string runId, string stream, OutputState state, CancellationToken cancellationToken)
    {
        var next = Checked(runId, stream, state);
        await SaveAsync(runId, stream, state, next, cancellationToken);
        return next;
    }

    /// <summary>
    /// The state as its file bears it out. A file shorter than the bytes from DroppedBefore to End that the state says
    /// the hub keeps (holes keep a file's size, so it is never shorter otherwise) lost them: End moves back to what the
    /// file has. A file longer than End holds bytes written after the state was last saved (each byte is written only
    /// at its own position, so they are the stream's): End moves up to them, and the node need not resend them.
    /// </summary>
    private OutputState Checked(string runId, string stream, OutputState state)
    {
        var length = FileLength(runId, stream);
        if (length > state.End && !state.Complete)
            return state with { End = length };
        if (state.DroppedBefore >= state.End || length >= state.End)
            return state;
        OutputFilesLog.Lost(_logger, runId, stream, state.End, length);
        return state with { End = Math.Max(length, state.DroppedBefore), Complete = false };
    }

    private long FileLength(string runId, string stream)
    {
        var file = new FileInfo(DataPath(runId, stream));
        return file.Exists ? file.Length : 0;
    }

    private static IReadOnlyList<ReadOnlyMemory<byte>> Skip(IReadOnlyList<ReadOnlyMemory<byte>> parts, long skip)
    {
        if (skip == 0)
            return parts;
        var rest = new List<ReadOnlyMemory<byte>>(parts.Count);
        foreach (var part in parts)
        {
            var cut = (int)Math.Min(skip, part.Length);
            skip -= cut;
            if (part.Length > cut)
                rest.Add(part[cut..]);
        }

        return rest;
    }

    /// <summary>Up to <paramref name="limit"/> bytes from <paramref name="from"/> (moved past dropped output).</summary>
    public async Task<OutputSlice?> ReadAsync(string runId, string stream, long from, int limit, CancellationToken cancellationToken)
    {
        if (State(runId, stream) is not { } state)
            return null;
        // Beyond the end of a live stream the reader stays where it is (the hub may have lost output it had served,
        // which the node is resending); beyond a complete one it is told the real end.
        var start = Math.Max(from, state.DroppedBefore);
        if (state.Complete)
            start = Math.Min(start, state.End);
        var length = (int)Math.Clamp(state.End - start, 0, limit);
        var data = new byte[length];
        if (length > 0)
        {
            await using var file = new FileStream(DataPath(runId, stream), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            file.Position = start;
            await file.ReadExactlyAsync(data, cancellationToken);
        }

        return new OutputSlice(data, start, state);
    }

    private string DataPath(string runId, string stream) => Path.Combine(_root, runId, stream);

    private string MetaPath(string runId, string stream) => Path.Combine(_root, runId, stream + ".json");

    private static bool PunchHole(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long length) =>
        Fallocate((int)handle.DangerousGetHandle(), 0x01 | 0x02, 0, length) == 0;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int Fallocate(int fd, int mode, long offset, long length);
}

/// <summary>A stream's state file (web defaults), source-generated for Native AOT.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(OutputState))]
internal sealed partial class OutputJson : System.Text.Json.Serialization.JsonSerializerContext;
