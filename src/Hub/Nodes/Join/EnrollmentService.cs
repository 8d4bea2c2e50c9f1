using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mesh.Core.Auth;
using Mesh.Core.Configuration;
using Mesh.Core.Join;
using Mesh.Core.Protocol;
using Mesh.Hub.Audit;
using Mesh.Hub.InternalApi;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Nodes.Revocation;
using Mesh.Pki;
using Grpc.Core;

namespace Mesh.Hub.Nodes.Join;

/// <summary>Enrollment and renewal: the hub side of joining. Every refusal says what the operator can do.</summary>
public sealed class EnrollmentService(
    MeshConfig config,
    HubIdentity identity,
    IJoinTokenStore tokens,
    INodeStore nodes,
    RevocationRegistry revocations,
    IAuditLog audit,
    SourceFailureLimiter limiter,
    TimeProvider time,
    JoinMetrics metrics,
    JoinedNodes joined,
    ILogger<EnrollmentService> logger)
{
    private readonly byte[]? _clusterSecretHash = ClusterSecretHash(config);
    private readonly string _embeddedNodeId = config.Server.NodeId ?? NodeIds.EmbeddedNodeDefault;

    public async Task<NodeCredentials> EnrollAsync(EnrollRequest request, string source, CancellationToken cancellationToken)
    {
        // A throttled address is still heard: a valid token from another machine behind the same NAT joins, and a
        // guesser gains nothing (secrets are 256-bit); its refusals are neither audited nor logged one by one.
        var throttled = limiter.RetryAfter(source);
        try
        {
            var (tokenId, boundToNode, forEmbeddedNode) = await AcceptTokenAsync(request, cancellationToken);
            var existing = await CheckNodeIdAsync(request.NodeId, boundToNode, forEmbeddedNode, cancellationToken);
            var issued = Issue(request.NodeId, request.CsrPem, existing);
            await RecordEnrollmentAsync(request, existing, issued, cancellationToken);
            joined.Record(tokenId, request.NodeId);
            if (existing?.Status == NodeStatus.Revoked)
                await revocations.ReinstateNodeAsync(request.NodeId, cancellationToken);
            await audit.RecordAsync("node:" + request.NodeId, AuditActions.NodeEnrolled, request.NodeId, source, $"token={tokenId}", cancellationToken);
            JoinLog.Enrolled(logger, request.NodeId, tokenId, source);
            metrics.Enrolled();
            return issued.Credentials;
        }
        catch (RpcException ex) when (throttled is { } wait && IsGuess(ex))
        {
            metrics.Refused(throttled: true);
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"too many failed join attempts from this address; retry in {Math.Ceiling(wait.TotalSeconds)} s"));
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.ResourceExhausted)
        {
            // Only what looks like guessing counts against the address: a spent or expired token is not a guess.
            if (!IsGuess(ex) || limiter.RecordFailure(source))
                await audit.RecordAsync("anonymous", AuditActions.JoinFailed, DisplayText.Truncate(request.NodeId), source, ex.Status.Detail, CancellationToken.None);
            JoinLog.Refused(logger, DisplayText.Truncate(request.NodeId), source, ex.Status.Detail);
            metrics.Refused(throttled: false);
            throw;
        }
    }

    public async Task<NodeCredentials> RenewAsync(CallerIdentity caller, RenewRequest request, string source, CancellationToken cancellationToken)
    {
        if (caller.Scope != CallerScope.Node || caller.NodeId is null)
            throw new RpcException(new Status(StatusCode.PermissionDenied, "only a node may renew its certificate"));
        var node = await nodes.GetAsync(caller.NodeId, cancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"node '{caller.NodeId}' is not registered on this hub; enroll again with a join token"));
        var issued = Issue(caller.NodeId, request.CsrPem, node);
        await nodes.UpdateAsync(node with { CertificateSerial = issued.Serial, CertificateExpiresAt = issued.NotAfter }, cancellationToken);
        await nodes.AddCertificateAsync(caller.NodeId, issued.Serial, issued.NotAfter, time.GetUtcNow(), cancellationToken);
        await audit.RecordAsync("node:" + caller.NodeId, AuditActions.NodeRenewed, caller.NodeId, source, null, cancellationToken);
        JoinLog.Renewed(logger, caller.NodeId, new(issued.NotAfter));
        return issued.Credentials;
    }

    public async Task<WhoamiResponse> WhoamiAsync(CallerIdentity caller, CancellationToken cancellationToken)
    {
        if (caller.NodeId is null)
            throw new RpcException(new Status(StatusCode.PermissionDenied, "whoami is for nodes"));
        var node = await nodes.GetAsync(caller.NodeId, cancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"node '{caller.NodeId}' is not registered on this hub"));
        return new WhoamiResponse
        {
            NodeId = node.Id,
            ClusterId = identity.ClusterId,
            CertificateNotAfter = node.CertificateExpiresAt is { } expiry ? Timestamp.FromDateTimeOffset(expiry) : null,
        };
    }

    private async Task<(string TokenId, string? BoundNode, bool ForEmbeddedNode)> AcceptTokenAsync(EnrollRequest request, CancellationToken cancellationToken)
    {
        if (!JoinToken.TryParse(request.Token, out var token, out var error))
            throw new RpcException(new Status(StatusCode.InvalidArgument, error));
        if (!CertificatePins.PinEquals(token.PkiPin, identity.Authority.Pin))
            throw new RpcException(new Status(StatusCode.PermissionDenied, "join token was made for a different hub CA (its pin does not match this hub)"));

        var secretHash = JoinToken.HashSecret(token.Secret);
        if (token.IsClusterToken)
        {
            if (_clusterSecretHash is null)
                throw new RpcException(new Status(StatusCode.PermissionDenied, "the cluster bootstrap token is disabled on this hub; use a one-time token"));
            if (!CryptographicOperations.FixedTimeEquals(_clusterSecretHash, secretHash))
                throw new RpcException(new Status(StatusCode.PermissionDenied, "join token is not valid (unknown id or wrong secret)"));
            return (JoinToken.ClusterTokenId, null, false);
        }

        var now = time.GetUtcNow();
        var (outcome, info) = await tokens.TryConsumeAsync(token.Id, secretHash, now, cancellationToken);
        switch (outcome)
        {
            case ConsumeOutcome.NotValid:
                throw new RpcException(new Status(StatusCode.PermissionDenied, "join token is not valid (unknown id or wrong secret)"));
            case ConsumeOutcome.Revoked:
                throw new RpcException(new Status(StatusCode.PermissionDenied, $"join token was revoked at {Mesh.Core.TimeText.Iso(info!.RevokedAt)}"));
            case ConsumeOutcome.UsedUp:
                throw new RpcException(new Status(StatusCode.PermissionDenied, "join token already used"));
        }

        // Consumed first, checked after: a token presented after expiry is spent all the same.
        if (now >= info!.ExpiresAt)
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"join token expired at {Mesh.Core.TimeText.Iso(info.ExpiresAt)}; create a new one on the hub"));
        if (info.NodeId is not null && !string.Equals(info.NodeId, request.NodeId, StringComparison.Ordinal))
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"join token is bound to node '{info.NodeId}', not '{DisplayText.Truncate(request.NodeId)}'"));
        await audit.RecordAsync("node:" + request.NodeId, AuditActions.JoinTokenUsed, token.Id, null, $"uses_left={info.UsesLeft}", cancellationToken);
        return (token.Id, info.NodeId, info.CreatedBy == JoinTokenService.EmbeddedNodeCreator);
    }

    private async Task<NodeRecord?> CheckNodeIdAsync(string nodeId, string? boundToNode, bool forEmbeddedNode, CancellationToken cancellationToken)
    {
        if (!NodeIds.IsValid(nodeId, out var error))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "node_id " + error));
        var bound = boundToNode == nodeId;
        // The hub's own ids (and its embedded node's) are taken only by the token the hub mints for its embedded node.
        var isHubsOwn = NodeIds.IsReserved(nodeId) || nodeId == _embeddedNodeId;
        if (isHubsOwn && !(forEmbeddedNode && bound && nodeId == _embeddedNodeId))
            throw new RpcException(new Status(StatusCode.InvalidArgument, NodeIds.ReservedMessage(nodeId)));
        var existing = await nodes.GetAsync(nodeId, cancellationToken);
        if (existing is { Status: NodeStatus.Revoked } && !bound)
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"node '{nodeId}' was removed from the hub at {Mesh.Core.TimeText.Iso(existing.RevokedAt)}; to re-admit it, create a join token bound to node id '{nodeId}'"));
        if (existing is { EnrolledAt: not null, Status: not NodeStatus.Revoked } && !bound)
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"node id '{nodeId}' belongs to an enrolled node; remove that node first, use another id, or use a token bound to '{nodeId}'"));
        // What an operator placed on a pre-registered id must not go to whoever holds any token.
        if (existing is { EnrolledAt: null, Status: not NodeStatus.Revoked } && !bound)
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"node id '{nodeId}' was registered by an operator and is waiting for its node; to enroll under it, create a join token bound to '{nodeId}'"));
        return existing;
    }

    private Issued Issue(string nodeId, string csrPem, NodeRecord? registered)
    {
        // A node's certificate names only what an operator registered for it, and never the hub's names.
        var own = new List<string>();
        if (registered?.GrpcTarget is { } target && Uri.TryCreate(target, UriKind.Absolute, out var uri))
            own.Add(uri.IdnHost);
        if (registered?.TlsServerName is { } serverName)
            own.Add(serverName);
        var names = new NodeCertificateNames(own, identity.ServerNames);
        System.Security.Cryptography.X509Certificates.X509Certificate2 certificate;
        try
        {
            var csr = CertificateSigningRequestInfo.Parse(csrPem);
            certificate = identity.Authority.SignNodeCsr(csr, nodeId, config.InternalGrpc.Security.NodeCertificateLifetime, names);
        }
        catch (PkiException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "certificate request refused: " + ex.Message));
        }

        using (certificate)
        {
            var key = identity.Keys.DeriveNodeKey(nodeId);
            var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
            var credentials = new NodeCredentials
            {
                CertificatePem = certificate.ExportCertificatePem(),
                CaBundlePem = identity.Authority.Certificate.ExportCertificatePem(),
                ClusterId = identity.ClusterId,
                SigningKeyId = key.KeyId,
                SigningKey = ByteString.CopyFrom(key.Key),
                NotAfter = Timestamp.FromDateTimeOffset(notAfter),
            };
            return new Issued(credentials, certificate.SerialNumber, notAfter);
        }
    }

    private async Task RecordEnrollmentAsync(EnrollRequest request, NodeRecord? existing, Issued issued, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var facts = request.Facts ?? new SystemFacts();
        var (notAfter, serial) = (issued.NotAfter, issued.Serial);
        var node = (existing ?? new NodeRecord { Id = request.NodeId, CreatedAt = now }) with
        {
            Name = existing?.Name ?? (string.IsNullOrWhiteSpace(facts.Name) ? request.NodeId : facts.Name),
            Hostname = facts.Hostname,
            Platform = facts.Platform,
            Arch = facts.Arch,
            CpuCount = facts.CpuCount,
            MemoryBytes = facts.MemoryBytes,
            Version = facts.Version,
            Capabilities = facts.Capabilities.Where(Capabilities.IsValid).Distinct(StringComparer.Ordinal).ToList(),
            Status = NodeStatus.Offline,
            CertificateSerial = serial,
            CertificateExpiresAt = notAfter,
            EnrolledAt = now,
            RevokedAt = null,
        };
        if (existing is null ? !await nodes.TryAddAsync(node, cancellationToken) : !await nodes.UpdateAsync(node, cancellationToken))
            throw new RpcException(new Status(StatusCode.Aborted, $"node '{request.NodeId}' changed during enrollment; retry"));
        await nodes.AddCertificateAsync(request.NodeId, serial, notAfter, now, cancellationToken);
    }

    private static byte[]? ClusterSecretHash(MeshConfig config)
    {
        var configured = config.InternalGrpc.BootstrapToken?.Reveal();
        if (configured is null)
            return null;
        // The hub's config may hold the full token (as shown to operators) or just its secret.
        var secret = JoinToken.TryParse(configured, out var token, out _) ? token.Secret : configured;
        return JoinToken.HashSecret(secret);
    }

    private static bool IsGuess(RpcException ex) =>
        ex.Status.Detail.StartsWith("join token is not valid", StringComparison.Ordinal)
        || ex.Status.Detail.StartsWith("join token was made for a different hub CA", StringComparison.Ordinal)
        || (ex.StatusCode == StatusCode.InvalidArgument && ex.Status.Detail.StartsWith("join token", StringComparison.Ordinal));

    private sealed record Issued(NodeCredentials Credentials, string Serial, DateTimeOffset NotAfter);
}
