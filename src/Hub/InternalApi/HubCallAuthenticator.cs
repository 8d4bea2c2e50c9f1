using Mesh.Core.Auth;
using Mesh.Core.Configuration;
using Mesh.Pki;
using Mesh.Rpc;
using Mesh.Rpc.Health;

namespace Mesh.Hub.InternalApi;

/// <summary>
/// Runs before every internal gRPC handler: checks the bearer JWT and, in mtls mode, that the client
/// certificate's node identity agrees with the token. Failures are UNAUTHENTICATED / PERMISSION_DENIED with a
/// generic detail; the precise reason goes to the log (never the token).
/// </summary>
public sealed class HubCallAuthenticator
{
    private readonly CallTokenValidator _validator;
    private readonly INodeRevocations _revocations;
    private readonly ILogger<HubCallAuthenticator> _logger;
    private readonly HashSet<string> _anonymous;
    private readonly bool _mtls;
    private readonly string _clusterId;
    private readonly Audit.IAuditLog _audit;
    private readonly SourceFailureLimiter _auditLimiter;

    public HubCallAuthenticator(
        MeshConfig config,
        HubIdentity identity,
        INodeRevocations revocations,
        IEnumerable<IInternalRpcService> services,
        TimeProvider time,
        Audit.IAuditLog audit,
        ILogger<HubCallAuthenticator> logger)
    {
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

    public async ValueTask AuthenticateAsync(RpcCallContext context)
    {
        if (_anonymous.Contains(context.Method) || context.Method.StartsWith("/" + RpcHealthService.ServiceName + "/", StringComparison.Ordinal))
            return;

        var check = await _validator.CheckAuthorizationAsync(context.GetRequestHeader("authorization"));
        if (!check.IsValid)
        {
            await RejectAsync(context, check.Failure!);
            throw new RpcException(StatusCode.Unauthenticated, "invalid or missing bearer token");
        }

        var caller = check.Identity!;
        if (caller.NodeId is not null)
        {
            if (_revocations.NodeRevokedAt(caller.NodeId) is { } removedAt)
            {
                HubCallAuthLog.Rejected(_logger, context.Method, context.Peer, $"node '{caller.NodeId}' was removed at {removedAt:O}");
                throw new RpcException(StatusCode.Unauthenticated, $"certificate revoked: node was removed from the hub at {removedAt:O}");
            }

            if (_mtls)
                CheckCertificateAgrees(context, caller);
        }
        else if (_mtls && context.ClientCertificate is { } certificate && NodeIdentity.TryGetNodeId(certificate, out _, out var presentedNode))
        {
            // A node certificate with a root-signed token: someone is mixing identities.
            HubCallAuthLog.Rejected(_logger, context.Method, context.Peer, $"node certificate '{presentedNode}' with a root-signed token");
            throw new RpcException(StatusCode.PermissionDenied, "client certificate and token name different principals");
        }

        context.SetCaller(caller);
    }

    // Logged every time; audited for the first few per source and minute so a flood cannot fill the store.
    private async Task RejectAsync(RpcCallContext context, string reason)
    {
        HubCallAuthLog.Rejected(_logger, context.Method, context.Peer, reason);
        var source = context.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (_auditLimiter.RecordFailure(source))
            await _audit.RecordAsync("anonymous", Audit.AuditActions.AuthFailed, context.Method, source, reason, CancellationToken.None);
    }

    private void CheckCertificateAgrees(RpcCallContext context, CallerIdentity caller)
    {
        var certificate = context.ClientCertificate;
        if (certificate is null || !NodeIdentity.TryGetNodeId(certificate, out var cluster, out var node))
        {
            HubCallAuthLog.Rejected(_logger, context.Method, context.Peer, "node token without a node client certificate");
            throw new RpcException(StatusCode.PermissionDenied, "node calls need the node's client certificate");
        }

        if (!string.Equals(cluster, _clusterId, StringComparison.Ordinal) || !string.Equals(node, caller.NodeId, StringComparison.Ordinal))
        {
            HubCallAuthLog.Rejected(_logger, context.Method, context.Peer, $"certificate identity '{cluster}/{node}' does not match token node '{caller.NodeId}'");
            throw new RpcException(StatusCode.PermissionDenied, "client certificate and token name different nodes");
        }
    }
}
