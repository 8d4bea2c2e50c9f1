using Grpc.Core;
using Grpc.Core.Interceptors;
using Mesh.Core.Auth;
using Mesh.Core.Configuration;
using Mesh.Pki;

namespace Mesh.Hub.InternalApi;

/// <summary>
/// A grpc-dotnet server interceptor run before every internal gRPC handler: checks the bearer JWT and, in mtls
/// mode, that the client certificate's node identity agrees with the token. Failures are UNAUTHENTICATED /
/// PERMISSION_DENIED with a generic detail; the precise reason goes to the log (never the token) and, for the
/// first failures of a source each minute, to the audit log. <c>grpc.health.v1.Health</c> and the methods the
/// services declare anonymous (Join's Discover and Enroll) pass without a token.
/// </summary>
public sealed class HubCallAuthenticator : Interceptor
{
    private const string HealthPrefix = "/grpc.health.v1.Health/";
    private readonly CallTokenValidator _validator;
    private readonly INodeRevocations _revocations;
    private readonly ILogger<HubCallAuthenticator> _logger;
    private readonly HashSet<string> _anonymous;
    private readonly bool _mtls;
    private readonly string _clusterId;
    private readonly Audit.IAuditLog _audit;
    private readonly SourceFailureLimiter _auditLimiter;
    private readonly InternalApiMetrics _metrics;

    public HubCallAuthenticator(
        MeshConfig config,
        HubIdentity identity,
        INodeRevocations revocations,
        IEnumerable<IInternalGrpcService> services,
        TimeProvider time,
        Audit.IAuditLog audit,
        InternalApiMetrics metrics,
        ILogger<HubCallAuthenticator> logger)
    {
        _metrics = metrics;
        _audit = audit;
        _auditLimiter = new SourceFailureLimiter(time);
        var auth = config.InternalGrpc.Auth;
        _validator = new CallTokenValidator(() => identity.Keys, auth.Issuer, auth.Audience, auth.ClockSkew, time);
        _revocations = revocations;
        _logger = logger;
        _mtls = config.InternalGrpc.Security.Mode == GrpcSecurityMode.Mtls;
        _clusterId = identity.ClusterId;
        _anonymous = services.SelectMany(s => s.AnonymousMethods).ToHashSet(StringComparer.Ordinal);
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        return await continuation(request, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        return await continuation(requestStream, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    /// <summary>Checks the call's credentials and stores the caller on it; throws <see cref="RpcException"/> to refuse.</summary>
    public async ValueTask AuthenticateAsync(ServerCallContext context)
    {
        if (_anonymous.Contains(context.Method) || context.Method.StartsWith(HealthPrefix, StringComparison.Ordinal))
            return;

        // Read straight from HTTP: ServerCallContext.RequestHeaders would copy every header into a Metadata per call.
        var check = await _validator.CheckAuthorizationAsync(context.GetHttpContext().Request.Headers.Authorization.ToString());
        if (!check.IsValid)
        {
            _metrics.AuthFailed(AuthFailureReasons.InvalidToken);
            await RejectAsync(context, check.Failure!);
            throw Refused(StatusCode.Unauthenticated, "invalid or missing bearer token");
        }

        var caller = check.Identity!;
        if (caller.NodeId is not null)
        {
            if (_revocations.NodeRevokedAt(caller.NodeId) is { } removedAt)
            {
                HubCallAuthLog.Rejected(_logger, context.Method, context.Peer, $"node '{caller.NodeId}' was removed at {Mesh.Core.TimeText.Iso(removedAt)}");
                _metrics.AuthFailed(AuthFailureReasons.NodeRemoved);
                throw Refused(StatusCode.Unauthenticated, $"certificate revoked: node was removed from the hub at {Mesh.Core.TimeText.Iso(removedAt)}");
            }

            if (_mtls)
                CheckCertificateAgrees(context, caller);
        }
        else if (_mtls && ClientCertificate(context) is { } certificate && NodeIdentity.TryGetNodeId(certificate, out _, out var presentedNode))
        {
            // A node certificate with a root-signed token: someone is mixing identities.
            HubCallAuthLog.Rejected(_logger, context.Method, context.Peer, $"node certificate '{presentedNode}' with a root-signed token");
            _metrics.AuthFailed(AuthFailureReasons.MixedIdentity);
            throw Refused(StatusCode.PermissionDenied, "client certificate and token name different principals");
        }

        context.SetCaller(caller);
    }

    private static RpcException Refused(StatusCode code, string detail) => new(new Status(code, detail));

    private static System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate(ServerCallContext context) =>
        context.GetHttpContext().Connection.ClientCertificate;

    // Logged every time; audited for the first few per source and minute so a flood cannot fill the store.
    private async Task RejectAsync(ServerCallContext context, string reason)
    {
        HubCallAuthLog.Rejected(_logger, context.Method, context.Peer, reason);
        var source = context.Source();
        if (_auditLimiter.RecordFailure(source))
            await _audit.RecordAsync("anonymous", Audit.AuditActions.AuthFailed, context.Method, source, reason, CancellationToken.None);
    }

    private void CheckCertificateAgrees(ServerCallContext context, CallerIdentity caller)
    {
        var certificate = ClientCertificate(context);
        if (certificate is null || !NodeIdentity.TryGetNodeId(certificate, out var cluster, out var node))
        {
            HubCallAuthLog.Rejected(_logger, context.Method, context.Peer, "node token without a node client certificate");
            _metrics.AuthFailed(AuthFailureReasons.CertificateMissing);
            throw Refused(StatusCode.PermissionDenied, "node calls need the node's client certificate");
        }

        if (!string.Equals(cluster, _clusterId, StringComparison.Ordinal) || !string.Equals(node, caller.NodeId, StringComparison.Ordinal))
        {
            HubCallAuthLog.Rejected(_logger, context.Method, context.Peer, $"certificate identity '{cluster}/{node}' does not match token node '{caller.NodeId}'");
            _metrics.AuthFailed(AuthFailureReasons.CertificateMismatch);
            throw Refused(StatusCode.PermissionDenied, "client certificate and token name different nodes");
        }
    }
}
