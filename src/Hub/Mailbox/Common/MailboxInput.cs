using System.Text;
using System.Text.Json;
using Mesh.Core.Protocol;

namespace Mesh.Hub.Mailbox.Common;

/// <summary>The input checks every mailbox capability applies to what a caller sends: payloads, channel and run names.</summary>
public static class MailboxInput
{
    public const int MaxNameLength = 128;

    /// <summary>Refuses a payload over the limit, a JSON payload that does not parse, and an unknown kind.</summary>
    public static void CheckPayload(string payload, PayloadKind kind, MailboxOptions options)
    {
        var bytes = Encoding.UTF8.GetByteCount(payload);
        if (bytes > options.MaxPayloadBytes)
            throw new MailboxException(MailboxError.ResourceExhausted, $"the payload is {bytes} bytes; the limit is {options.MaxPayloadBytes} ([mailbox] max_payload_bytes). Send a path or a link instead.");
        if (kind == PayloadKind.Json)
        {
            try
            {
                using var _ = JsonDocument.Parse(payload);
            }
            catch (JsonException ex)
            {
                throw new MailboxException(MailboxError.InvalidArgument, $"the payload is not valid JSON at {JsonError(ex)} Fix it, or send it as text.");
            }
        }
        else if (kind != PayloadKind.Text)
        {
            throw new MailboxException(MailboxError.InvalidArgument, $"unknown payload kind {(int)kind}.");
        }
    }

    /// <summary>
    /// Where and why JSON did not parse, in words: "line 1, column 10: Expected depth to be zero …" — the parser's own
    /// "LineNumber: 0 | BytePositionInLine: 9." counts from zero and reads like a stack dump, so it goes.
    /// </summary>
    public static string JsonError(JsonException ex)
    {
        var reason = ex.Message;
        var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut >= 0)
            reason = reason[..cut];
        return ex.LineNumber is { } line ? $"line {line + 1}, column {ex.BytePositionInLine + 1}: {reason}" : reason;
    }

    /// <summary>A channel or run name: null when empty, refused when too long or not printable.</summary>
    public static string? CheckName(string? value, string what)
    {
        if (string.IsNullOrEmpty(value))
            return null;
        if (value.Length > MaxNameLength || value.Any(char.IsControl))
            throw new MailboxException(MailboxError.InvalidArgument, $"{what} must be at most {MaxNameLength} printable characters.");
        return value;
    }

    public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
