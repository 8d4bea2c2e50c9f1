using System.Collections.Concurrent;
using System.Text.Json;

namespace Mesh.Hub.Agents.Output;

/// <summary>
/// The hub-wide cap ([hub] output_limit_total): the bytes all streams keep are counted, and when they pass the cap the
/// streams written to longest ago are dropped whole (punched out; their state says everything before their end is
/// gone, so positions stay and readers are told) until the rest fits in nine tenths of it.
/// </summary>
public sealed partial class OutputFiles
{
    private readonly ConcurrentDictionary<(string Run, string Stream), long> _lastWrite = new();
    private int _trimming;
    private long _kept;

    /// <summary>Bytes of output the hub keeps now, all runs together.</summary>
    public long KeptBytes => Volatile.Read(ref _kept);

    private static long Kept(OutputState state) => state.End - state.DroppedBefore;

    private void Touch(string runId, string stream) => _lastWrite[(runId, stream)] = Environment.TickCount64;

    /// <summary>Reads every stream's state at start, so the total is right from the first chunk.</summary>
    private void LoadKept()
    {
        if (!Directory.Exists(_root))
            return;
        var metas = Directory.EnumerateFiles(_root, "*.json", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 1 })
            .Select(path => (Path: path, Written: File.GetLastWriteTimeUtc(path)))
            .OrderBy(m => m.Written);
        foreach (var (path, _) in metas)
        {
            var key = (Path.GetFileName(Path.GetDirectoryName(path))!, Path.GetFileNameWithoutExtension(path));
            OutputState? state;
            try
            {
                state = JsonSerializer.Deserialize(File.ReadAllText(path), Json);
            }
            catch (JsonException ex)
            {
                OutputFilesLog.Unreadable(_logger, path, ex.Message);
                continue;
            }

            if (state is null)
                continue;
            state = Checked(key.Item1, key.Item2, state);
            _states[key] = state;
            Touch(key.Item1, key.Item2); // in order of the files' times, so the oldest stay oldest
            _kept += Kept(state);
        }
    }

    private async Task KeepTotalAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _trimming, 1) == 1)
            return; // another writer is trimming already
        try
        {
            var goal = _limits.LimitTotal / 10 * 9;
            foreach (var (key, _) in _lastWrite.OrderBy(w => w.Value).ToList())
            {
                if (KeptBytes <= goal)
                    break;
                var gate = _gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
                await gate.WaitAsync(cancellationToken);
                try
                {
                    if (State(key.Run, key.Stream) is not { } state || Kept(state) == 0)
                        continue;
                    await using (var file = new FileStream(DataPath(key.Run, key.Stream), FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
                    {
                        if (!PunchHole(file.SafeFileHandle, state.End))
                            return;
                    }

                    var bytes = Kept(state);
                    await SaveAsync(key.Run, key.Stream, state, state with { DroppedBefore = state.End }, cancellationToken);
                    OutputFilesLog.Trimmed(_logger, key.Run, key.Stream, bytes, _limits.LimitTotal);
                }
                finally
                {
                    gate.Release();
                }
            }
        }
        finally
        {
            Volatile.Write(ref _trimming, 0);
        }
    }
}

internal static partial class OutputFilesLog
{
    [LoggerMessage(EventId = 7102, EventName = "OutputTrimmed", Level = LogLevel.Information,
        Message = "Dropped {Bytes} bytes of {Stream} of run {RunId} from the hub: all runs' output passed output_limit_total ({Limit} bytes)")]
    public static partial void Trimmed(ILogger logger, string runId, string stream, long bytes, long limit);

    [LoggerMessage(EventId = 7104, EventName = "OutputLost", Level = LogLevel.Warning,
        Message = "The hub's copy of {Stream} of run {RunId} ends at {Length}, not at {End} as its state says (deleted, truncated or restored from an older backup): the node is asked to resend from there")]
    public static partial void Lost(ILogger logger, string runId, string stream, long end, long length);

    [LoggerMessage(EventId = 7105, EventName = "OutputStateNotSaved", Level = LogLevel.Warning, Message = "The state of {Stream} of run {RunId} could not be saved (tried again in a second): {Reason}")]
    public static partial void NotSaved(ILogger logger, string runId, string stream, string reason);

    [LoggerMessage(EventId = 7103, EventName = "OutputStateUnreadable", Level = LogLevel.Warning, Message = "Output state {Path} is unreadable and was skipped: {Reason}")]
    public static partial void Unreadable(ILogger logger, string path, string reason);
}
