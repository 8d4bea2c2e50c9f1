namespace Mesh.Core.Configuration;

internal sealed partial class ConfigBinder
{
    private MailboxConfig BindMailbox()
    {
        var value = _raw.Get("mailbox.max_payload_bytes");
        if (value is null)
            return MailboxConfig.Default;
        var bytes = (long)value.Value;
        if (bytes is < MailboxConfig.MinPayloadBytes or > MailboxConfig.MaxAllowedPayloadBytes)
        {
            Problem(value, $"{bytes} is out of range: use {MailboxConfig.MinPayloadBytes} to {MailboxConfig.MaxAllowedPayloadBytes} bytes (3 MiB; larger payloads belong in files, send their path).");
            return MailboxConfig.Default;
        }

        return new MailboxConfig((int)bytes);
    }
}
