namespace Mesh.Hub.InternalApi;

internal static partial class InternalApiLog
{
    [LoggerMessage(EventId = 2002, EventName = "ClientCertificateRejected", Level = LogLevel.Warning,
        Message = "Rejected the TLS client certificate {Subject}: {Reason}")]
    public static partial void ClientCertificateRejected(ILogger logger, string subject, string reason);
}
