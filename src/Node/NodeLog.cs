using Microsoft.Extensions.Logging;

namespace Mesh.Node;

internal static partial class NodeLog
{
    [LoggerMessage(EventId = 4001, EventName = "NodeEnrolled", Level = LogLevel.Information, Message = "Node {NodeId} enrolled with {Hub} in {Milliseconds:0} ms")]
    public static partial void Enrolled(ILogger logger, string nodeId, Uri hub, double milliseconds);

    [LoggerMessage(EventId = 4002, EventName = "HubUnreachable", Level = LogLevel.Warning, Message = "Hub {Hub} unreachable ({Reason}); retrying in {Delay} with {Next}")]
    public static partial void HubUnreachable(ILogger logger, Uri hub, string reason, TimeSpan delay, Uri next);

    [LoggerMessage(EventId = 4003, EventName = "CertificateExpired", Level = LogLevel.Warning, Message = "This node's certificate expired at {NotAfter}; enrolling again")]
    public static partial void CertificateExpired(ILogger logger, Mesh.Core.IsoTime notAfter);

    [LoggerMessage(EventId = 4004, EventName = "RenewalScheduled", Level = LogLevel.Information, Message = "Certificate renewal scheduled at {RenewAt} (expires {NotAfter})")]
    public static partial void RenewalScheduled(ILogger logger, Mesh.Core.IsoTime renewAt, Mesh.Core.IsoTime notAfter);

    [LoggerMessage(EventId = 4005, EventName = "CertificateRenewed", Level = LogLevel.Information, Message = "Node {NodeId} renewed its certificate")]
    public static partial void Renewed(ILogger logger, string nodeId);

    [LoggerMessage(EventId = 4006, EventName = "RenewalFailed", Level = LogLevel.Warning, Message = "Certificate renewal failed ({Reason}); retrying in {Delay}")]
    public static partial void RenewalFailed(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 4007, EventName = "HubRefused", Level = LogLevel.Error, Message = "{Refusal}; trying {Next} in {Delay}")]
    public static partial void HubRefused(ILogger logger, string refusal, TimeSpan delay, Uri next);

    [LoggerMessage(EventId = 4008, EventName = "HubConnected", Level = LogLevel.Information, Message = "Connected to hub {Hub}")]
    public static partial void Connected(ILogger logger, Uri hub);
}
