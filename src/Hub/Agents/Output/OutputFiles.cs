using System.Collections.Concurrent;
using System.Text.Json;
using Mesh.Core.Configuration;

namespace Mesh.Hub.Agents.Output;

/// <summary>One stream of one run as the hub holds it: its end, what is gone before where, and whether it is complete.</summary>
public sealed record OutputState(string AgentId, long End, long DroppedBefore, bool Complete);

/// <summary>A slice read back: bytes [Start, Start + Data.Length) of the stream.</summary>
public sealed record OutputSlice(byte[] Data, long Start, OutputState State);

/// <summary>
/// Runs' output on the hub's disk: data_dir/output/RUN/STREAM, written at each byte's stream position (so a file
/// offset is a position, and a range the node dropped is a hole), with STREAM.json beside it (end, dropped-before,
/// complete). At most [hub] output_limit_per_run bytes of a stream stay (older ones are punched out and reported
/// dropped), and at most output_limit_total bytes of all streams together (see OutputFiles.Total.cs). Writes of one
/// stream are serialized; reads run beside them.
/// </summary>
public sealed partial class OutputFiles
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _root;
    private readonly HubOutputConfig _limits;
    private readonly ILogger<OutputFiles> _logger;
    private readonly ConcurrentDictionary<(string Run, string Stream), OutputState> _states = new();
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
        state = JsonSerializer.Deserialize<OutputState>(File.ReadAllText(meta), Json)!;
        return _states.GetOrAdd((runId, stream), state);
    }

    /// <summary>
    /// Appends what of <paramref name="data"/> (at <paramref name="position"/>) the hub does not have yet. A chunk may
    /// overlap the end (a resend); it may start beyond it only over output the node says it dropped. Returns the new
    /// state, or the reason it refused a chunk that skips bytes (the state stays).
    /// </summary>
    public async Task<(OutputState? State, string? Refusal)> AppendAsync(string agentId, string runId, string stream, long position, ReadOnlyMemory<byte> data, long nodeDroppedBefore, bool complete,
        CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd((runId, stream), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var state = State(runId, stream) ?? new OutputState(agentId, 0, 0, false);
            if (state.AgentId != agentId)
                return (null, $"run {runId} belongs to agent {state.AgentId}");
            var dropped = state.DroppedBefore;
            if (position > state.End)
            {
                if (nodeDroppedBefore < position)
                    return (null, $"{stream} of run {runId} skips from {state.End} to {position}");
                dropped = Math.Max(dropped, position);
            }
            else if (position + data.Length <= state.End)
            {
                data = ReadOnlyMemory<byte>.Empty; // all of it stored already
            }
            else
            {
                data = data[(int)(state.End - position)..];
                position = state.End;
            }

            var end = Math.Max(state.End, position + data.Length);
            if (data.Length > 0)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(DataPath(runId, stream))!);
                await using var file = new FileStream(DataPath(runId, stream), FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
                file.Position = position;
                await file.WriteAsync(data, cancellationToken);
                await file.FlushAsync(cancellationToken);
                if (end - dropped > _limits.LimitPerRun)
                {
                    var cut = (end - (_limits.LimitPerRun / 2)) & ~4095L;
                    if (PunchHole(file.SafeFileHandle, cut))
                        dropped = cut;
                }
            }

            var next = new OutputState(agentId, end, dropped, state.Complete || (complete && position + data.Length >= end));
            if (next != state)
                await SaveAsync(runId, stream, state, next, cancellationToken);
        }
        finally
        {
            gate.Release();
        }

        if (Volatile.Read(ref _kept) > _limits.LimitTotal)
            await KeepTotalAsync(cancellationToken);
        return (State(runId, stream), null);
    }

    private async Task SaveAsync(string runId, string stream, OutputState before, OutputState next, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(MetaPath(runId, stream))!);
        var temporary = MetaPath(runId, stream) + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(next, Json), cancellationToken);
        File.Move(temporary, MetaPath(runId, stream), overwrite: true);
        _states[(runId, stream)] = next;
        Touch(runId, stream);
        Interlocked.Add(ref _kept, Kept(next) - Kept(before));
    }

    /// <summary>Up to <paramref name="limit"/> bytes from <paramref name="from"/> (moved past dropped output).</summary>
    public async Task<OutputSlice?> ReadAsync(string runId, string stream, long from, int limit, CancellationToken cancellationToken)
    {
        if (State(runId, stream) is not { } state)
            return null;
        var start = Math.Clamp(from, state.DroppedBefore, state.End);
        var length = (int)Math.Min(limit, state.End - start);
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
