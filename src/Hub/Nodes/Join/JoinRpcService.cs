using Grpc.Core;
using Mesh.Core.Protocol;
using Mesh.Hub.InternalApi;
using JoinGrpc = Mesh.Core.Protocol.Join;

namespace Mesh.Hub.Nodes.Join;

/// <summary>mesh.v1.Join on the internal listener. Discover and Enroll are anonymous (the join token is the credential).</summary>
internal sealed class JoinRpcService(EnrollmentService enrollment, HubIdentity identity) : JoinGrpc.JoinBase
{
    public static readonly string[] AnonymousMethods = ["/mesh.v1.Join/Discover", "/mesh.v1.Join/Enroll"];

    private readonly DiscoverResponse _discovery = new() { CaBundlePem = identity.Authority.Certificate.ExportCertificatePem(), ClusterId = identity.ClusterId };

    public override Task<DiscoverResponse> Discover(DiscoverRequest request, ServerCallContext context) => Task.FromResult(_discovery);

    public override async Task<EnrollResponse> Enroll(EnrollRequest request, ServerCallContext context) =>
        new() { Credentials = await enrollment.EnrollAsync(request, context.Source(), context.CancellationToken) };

    public override async Task<RenewResponse> Renew(RenewRequest request, ServerCallContext context) =>
        new() { Credentials = await enrollment.RenewAsync(context.GetCaller(), request, context.Source(), context.CancellationToken) };

    public override Task<WhoamiResponse> Whoami(WhoamiRequest request, ServerCallContext context) =>
        enrollment.WhoamiAsync(context.GetCaller(), context.CancellationToken);
}
