using Microsoft.Extensions.Logging;

namespace Mesh.Rpc.Tls;

internal static partial class RpcTlsLog
{
    [LoggerMessage(EventId = 20, EventName = "ClientCertificateRejected", Level = LogLevel.Warning, Message = "TLS: rejected client certificate '{Subject}': {Reason}")]
    public static partial void ClientCertificateRejected(ILogger logger, string subject, string reason);

    [LoggerMessage(EventId = 21, EventName = "ClientCertificateAccepted", Level = LogLevel.Debug, Message = "TLS: accepted client certificate '{Subject}'.")]
    public static partial void ClientCertificateAccepted(ILogger logger, string subject);

    [LoggerMessage(EventId = 22, EventName = "ClientCertificateValidatorFailed", Level = LogLevel.Error, Message = "TLS: the client certificate validator threw; the connection is refused.")]
    public static partial void ValidatorFailed(ILogger logger, Exception exception);
}
