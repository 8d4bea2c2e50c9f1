using Microsoft.AspNetCore.Http;

namespace Mesh.Rpc.Server;

/// <summary>
/// The server's one status table: what the caller sees for each way a call can fail on this side.
/// </summary>
internal static class ServerStatusMapper
{
    public const string HandlerExceptionDetail = "Exception was thrown by handler.";
    public const string UnimplementedDetail = "Method is unimplemented.";
    public const string MissingTeDetail = "Missing 'te: trailers' request header (a proxy may have stripped it).";

    public static string HttpProtocolDetail(string protocol) => $"Request protocol '{protocol}' is not supported; gRPC needs HTTP/2.";

    public static string ContentTypeDetail(string? contentType) =>
        contentType is null ? "Missing content-type; gRPC needs 'application/grpc'." : $"Content-Type '{contentType}' is not supported; gRPC needs 'application/grpc'.";

    /// <summary>
    /// Handler and pre-handler failures: an <see cref="RpcException"/> passes through with its status;
    /// anything else is UNKNOWN without internals (unless detailed errors are on).
    /// </summary>
    public static Status FromException(Exception exception, bool detailed) => exception switch
    {
        RpcException rpc => rpc.Status,
        _ when detailed => new Status(StatusCode.Unknown, $"{HandlerExceptionDetail} {exception.GetType().Name}: {exception.Message}"),
        _ => new Status(StatusCode.Unknown, HandlerExceptionDetail),
    };

    /// <summary>HTTP-level refusals, before any gRPC processing: (HTTP status, gRPC status).</summary>
    public static (int HttpStatus, Status Status) UnsupportedProtocol(string protocol) =>
        (StatusCodes.Status426UpgradeRequired, new Status(StatusCode.Internal, HttpProtocolDetail(protocol)));

    public static (int HttpStatus, Status Status) UnsupportedContentType(string? contentType) =>
        (StatusCodes.Status415UnsupportedMediaType, new Status(StatusCode.Internal, ContentTypeDetail(contentType)));

    public static Status MissingTe => new(StatusCode.Internal, MissingTeDetail);

    public static Status Unimplemented => new(StatusCode.Unimplemented, UnimplementedDetail);
}
