namespace Mesh.Hub.InternalApi;

internal static partial class InternalApiLog
{
    [LoggerMessage(EventId = 2002, EventName = "ClientCertificateRejected", Level = LogLevel.Warning,
        Message = "Rejected the TLS client certificate {Subject}: {Reason}")]
    public static partial void ClientCertificateRejected(ILogger logger, string subject, string reason);

    [LoggerMessage(EventId = 2003, EventName = "HandlerFailed", Level = LogLevel.Error,
        Message = "The handler of {Method} failed")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception exception);
}
