using System.Net;
using System.Net.Http;
using System.Security.Authentication;

namespace Mesh.Rpc.Client;

/// <summary>
/// The client's one status table: HTTP status, HTTP/2 reset code and transport failure → gRPC status
/// (https://github.com/grpc/grpc/blob/master/doc/http-grpc-status-mapping.md).
/// </summary>
internal static class ClientStatusMapper
{
    public const string RejectedHint =
        "(The server closed the connection before answering. If it requires client certificates, it probably rejected ours: missing, expired, revoked or from an unknown CA.)";

    public static StatusCode FromHttpStatus(HttpStatusCode status) => (int)status switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    /// <summary>HTTP/2 RST_STREAM / GOAWAY error codes (RFC 9113 §7).</summary>
    public static StatusCode FromHttp2ErrorCode(long code) => code switch
    {
        0x0 => StatusCode.Internal,          // NO_ERROR before a status arrived
        0x1 => StatusCode.Internal,          // PROTOCOL_ERROR
        0x2 => StatusCode.Internal,          // INTERNAL_ERROR
        0x3 => StatusCode.Internal,          // FLOW_CONTROL_ERROR
        0x4 => StatusCode.Internal,          // SETTINGS_TIMEOUT
        0x5 => StatusCode.Internal,          // STREAM_CLOSED
        0x6 => StatusCode.Internal,          // FRAME_SIZE_ERROR
        0x7 => StatusCode.Unavailable,       // REFUSED_STREAM
        0x8 => StatusCode.Cancelled,         // CANCEL
        0x9 => StatusCode.Internal,          // COMPRESSION_ERROR
        0xA => StatusCode.Internal,          // CONNECT_ERROR
        0xB => StatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
        0xC => StatusCode.PermissionDenied,  // INADEQUATE_SECURITY
        0xD => StatusCode.Internal,          // HTTP_1_1_REQUIRED
        _ => StatusCode.Internal,
    };

    /// <summary>A transport failure (connect, TLS, reset, EOF) as a status.</summary>
    public static Status FromException(Exception exception)
    {
        if (Find<HttpProtocolException>(exception) is { } protocol)
        {
            return new Status(FromHttp2ErrorCode(protocol.ErrorCode), $"HTTP/2 error code {protocol.ErrorCode}: {protocol.Message}");
        }

        if (Find<AuthenticationException>(exception) is { } tls)
        {
            return new Status(StatusCode.Unavailable, $"TLS handshake failed: {tls.Message}");
        }

        if (Find<HttpRequestException>(exception) is { } http)
        {
            switch (http.HttpRequestError)
            {
                case HttpRequestError.SecureConnectionError:
                    return new Status(StatusCode.Unavailable, $"TLS handshake failed: {Flatten(exception)}");
                case HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError:
                    return new Status(StatusCode.Unavailable, $"Cannot connect: {Flatten(exception)}");
                default:
                    // Connected, then dropped before any response: the typical look of a refused client certificate.
                    return new Status(StatusCode.Unavailable, $"{Flatten(exception)} {RejectedHint}");
            }
        }

        return new Status(StatusCode.Unavailable, $"Error talking to the server: {Flatten(exception)}");
    }

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static string Flatten(Exception exception)
    {
        var parts = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            parts.Add(e.Message);
        }

        return string.Join(" ---> ", parts.Distinct());
    }
}
