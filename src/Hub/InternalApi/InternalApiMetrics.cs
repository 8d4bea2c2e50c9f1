using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Mesh.Hosting.Metrics;

namespace Mesh.Hub.InternalApi;

/// <summary>
/// The internal gRPC API's instruments: every call's duration by service, method, kind and status (grpc-dotnet's
/// own <c>Grpc.AspNetCore.Server</c> counters are EventCounters without a method or a latency), and refused
/// credentials by reason.
/// </summary>
public sealed class InternalApiMetrics
{
    private static readonly string[] StatusNames =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE",
        "DATA_LOSS", "UNAUTHENTICATED",
    ];

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _authFailures;

    // Only methods the hub maps reach an interceptor, so this is bounded by the services' method count.
    private readonly ConcurrentDictionary<string, (string Service, string Method)> _names = new(StringComparer.Ordinal);

    public InternalApiMetrics(IMeterFactory meters)
    {
        var meter = HubMeter.Get(meters);
        _duration = meter.SecondsHistogram("mesh.rpc.server.call.duration",
            "Internal gRPC calls served by the hub: duration from the handler's start to its end, by service, method, kind and status.");
        _authFailures = meter.CreateCounter<long>("mesh.rpc.server.auth.failures", "{failure}",
            "Internal gRPC calls and TLS handshakes refused for their credentials, by reason.");
    }

    public void CallEnded(string fullMethod, string kind, StatusCode status, TimeSpan elapsed)
    {
        var (service, method) = _names.GetOrAdd(fullMethod, Split);
        _duration.Record(elapsed.TotalSeconds, [
            new("rpc.service", service), new("rpc.method", method), new("rpc.grpc.kind", kind),
            new("rpc.grpc.status_code", (uint)status < StatusNames.Length ? StatusNames[(int)status] : "UNKNOWN")]);
    }

    /// <summary>A refusal; <paramref name="reason"/> is one of the <see cref="AuthFailureReasons"/>.</summary>
    public void AuthFailed(string reason) => _authFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    private static (string, string) Split(string fullMethod)
    {
        var slash = fullMethod.LastIndexOf('/');
        return slash > 0 ? (fullMethod[1..slash], fullMethod[(slash + 1)..]) : ("", fullMethod);
    }
}

/// <summary>The <c>reason</c> label of <c>mesh.rpc.server.auth.failures</c>.</summary>
public static class AuthFailureReasons
{
    public const string InvalidToken = "invalid_token";
    public const string NodeRemoved = "node_removed";
    public const string CertificateMissing = "certificate_missing";
    public const string CertificateMismatch = "certificate_mismatch";
    public const string MixedIdentity = "mixed_identity";
    public const string ClientCertificateRejected = "client_certificate_rejected";
}
