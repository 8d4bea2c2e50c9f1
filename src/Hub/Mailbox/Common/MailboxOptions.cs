namespace Mesh.Hub.Mailbox.Common;

/// <summary>Limits and tuning of the mailbox capability.</summary>
public sealed class MailboxOptions
{
    /// <summary>Largest payload accepted by Send, in UTF-8 bytes ([mailbox] max_payload_bytes). Default 1 MiB.</summary>
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>Longest delay of a one-shot time trigger.</summary>
    public TimeSpan MaxTriggerDelay { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Most write operations committed in one SQLite transaction (group commit).</summary>
    public int MaxBatch { get; set; } = 2048;

    /// <summary>Messages a Watch stream buffers for a slow reader before it is ended (the reader reconnects with after_id).</summary>
    public int WatchBuffer { get; set; } = 10_000;

    /// <summary>Concurrent Watch streams of one actor ([mailbox] max_watch_streams_per_actor).</summary>
    public int MaxWatchStreamsPerActor { get; set; } = Core.Configuration.MailboxConfig.Default.MaxWatchStreamsPerActor;

    /// <summary>Concurrent Watch streams on the hub ([mailbox] max_watch_streams).</summary>
    public int MaxWatchStreams { get; set; } = Core.Configuration.MailboxConfig.Default.MaxWatchStreams;
}
