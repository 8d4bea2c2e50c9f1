namespace Mesh.Core.Configuration;

internal sealed partial class ConfigBinder
{
    // The range (MailboxConfig.MinPayloadBytes to MaxAllowedPayloadBytes) is checked when the value is read (ConfigSchema).
    private MailboxConfig BindMailbox() =>
        _raw.Get("mailbox.max_payload_bytes")?.Value is long bytes ? new MailboxConfig((int)bytes) : MailboxConfig.Default;
}
