using System.Text;

namespace Mesh.Hub.Cluster;

/// <summary>
/// The rules for channel names and messages, the same on every bus so a use that works on one hub works on several:
/// a channel is 1–48 of <c>[a-z0-9_.-]</c>; a message is at most <see cref="MaxMessageBytes"/> UTF-8 bytes (pg_notify
/// refuses payloads of 8000 bytes or more, and the channel name shares the payload).
/// </summary>
public static class BusMessages
{
    public const int MaxChannelLength = 48;
    public const int MaxMessageBytes = 7000;

    public static void Check(string channel, string message)
    {
        CheckChannel(channel);
        ArgumentNullException.ThrowIfNull(message);
        var bytes = Encoding.UTF8.GetByteCount(message);
        if (bytes > MaxMessageBytes)
            throw new ArgumentException($"a bus message holds ids, not data: {bytes} bytes is over the {MaxMessageBytes}-byte limit; store the data in a table and publish its id", nameof(message));
    }

    public static void CheckChannel(string channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (channel.Length is 0 or > MaxChannelLength || !channel.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '.' or '-'))
            throw new ArgumentException($"bus channel '{DisplayText.Truncate(channel, 64)}' must be 1–{MaxChannelLength} characters of a-z, 0-9, '_', '.', '-'", nameof(channel));
    }

    /// <summary>One PostgreSQL channel carries every bus channel: "channel:message".</summary>
    public static string Encode(string channel, string message) => channel + ":" + message;

    public static bool TryDecode(string payload, out string channel, out string message)
    {
        var colon = payload.IndexOf(':', StringComparison.Ordinal);
        channel = colon > 0 ? payload[..colon] : "";
        message = colon > 0 ? payload[(colon + 1)..] : "";
        return colon > 0;
    }
}
