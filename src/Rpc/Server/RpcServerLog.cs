using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Rpc.Server;

internal static partial class RpcServerLog
{
    [LoggerMessage(EventId = 1, EventName = "HandlerFailed", Level = LogLevel.Error, Message = "gRPC handler for {Method} threw; the caller gets UNKNOWN.")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 2, EventName = "CallFailed", Level = LogLevel.Debug, Message = "gRPC call {Method} ended with {StatusCode}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 3, EventName = "CallCancelled", Level = LogLevel.Debug, Message = "gRPC call {Method} was cancelled by the caller (disconnect or stream reset).")]
    public static partial void CallCancelled(ILogger logger, string method);

    [LoggerMessage(EventId = 4, EventName = "DeadlineExceeded", Level = LogLevel.Debug, Message = "gRPC call {Method} exceeded its deadline.")]
    public static partial void DeadlineExceeded(ILogger logger, string method);

    [LoggerMessage(EventId = 5, EventName = "DeadlineRace", Level = LogLevel.Debug, Message = "gRPC call {Method}: the deadline fired while the call was ending.")]
    public static partial void DeadlineRace(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 6, EventName = "UnsupportedProtocol", Level = LogLevel.Information, Message = "Refused gRPC request over {Protocol} to {Path}: gRPC needs HTTP/2.")]
    public static partial void UnsupportedProtocol(ILogger logger, string protocol, PathString path);

    [LoggerMessage(EventId = 7, EventName = "UnsupportedContentType", Level = LogLevel.Information, Message = "Refused request to {Path} with content-type '{ContentType}' (415).")]
    public static partial void UnsupportedContentType(ILogger logger, PathString path, string? contentType);

    [LoggerMessage(EventId = 8, EventName = "MissingTe", Level = LogLevel.Information, Message = "Refused gRPC request to {Path} without 'te: trailers'.")]
    public static partial void MissingTe(ILogger logger, PathString path);

    [LoggerMessage(EventId = 9, EventName = "UnimplementedMethod", Level = LogLevel.Information, Message = "gRPC call to unknown method {Path}: UNIMPLEMENTED.")]
    public static partial void UnimplementedMethod(ILogger logger, PathString path);

    [LoggerMessage(EventId = 10, EventName = "BadRequestMessage", Level = LogLevel.Information, Message = "gRPC call {Method} refused a request message: {StatusCode} {Detail}")]
    public static partial void BadRequestMessage(ILogger logger, string method, StatusCode statusCode, string detail);
}
